package org.medledger.portal.application;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.medledger.portal.config.PortalConfig;

/**
 * Progressive login delays, per account name and per client address, instead of a lock.
 *
 * <p>An attempt is counted <em>before</em> Argon2id runs ({@link #begin}), under one monitor, so
 * parallel attempts cannot all slip through on a stale count: the first
 * {@code free-failures} attempts since the last success run freely, each later one sets a delay
 * (30 s, 60 s, 120 s ... up to {@code max-delay-seconds}) before which the next is answered
 * "try again in N s" without any password check. Nothing sleeps: a delay is an answer, so no
 * request thread, pool place or database lock is held while it runs. A success clears the
 * account's count; the recovery kit clears it too ({@link #forgetAccount}) and is never subject
 * to the account's delay, so nobody can keep a victim out for good.
 *
 * <p>Per account name, existing or not: an unknown name is counted and delayed exactly like a
 * real one, so the answers do not tell which names exist. Per client address (IPv6 by /64):
 * the address's failures minus its successes, with a larger free allowance (an office behind
 * one NAT), so one client cannot spread guesses over many accounts. The state is in memory: a
 * restart forgets it (documented in docs/security.md); each table holds at most
 * {@link #MAX_ENTRIES} keys, entries are forgotten a day after their last failure, and a full
 * table answers "busy" rather than forgetting anyone's delay.
 */
@ApplicationScoped
public class LoginThrottle {
  static final int MAX_ENTRIES = 100_000;
  private static final long FORGET_MILLIS = 24L * 3600 * 1000;

  @Inject PortalConfig config;

  private final Object lock = new Object();
  private final Map<String, Entry> accounts = new HashMap<>();
  private final Map<String, Entry> addresses = new HashMap<>();

  private static final class Entry {
    int failures;
    long blockedUntil;
    long lastFailure;
    long charges;
  }

  /** One counted attempt; settle it with {@link #failed} or {@link #succeeded}. */
  public static final class Ticket {
    private final String account;
    private final Entry accountEntry;
    private final int accountCount;
    private final String address;
    private final Entry addressEntry;
    private final int addressCount;
    private final long addressCharge;
    private final long addressBlockedBefore;

    private Ticket(String account, Entry accountEntry, int accountCount, String address, Entry addressEntry,
        int addressCount, long addressCharge, long addressBlockedBefore) {
      this.account = account;
      this.accountEntry = accountEntry;
      this.accountCount = accountCount;
      this.address = address;
      this.addressEntry = addressEntry;
      this.addressCount = addressCount;
      this.addressCharge = addressCharge;
      this.addressBlockedBefore = addressBlockedBefore;
    }
  }

  /**
   * Counts an attempt for the account name (null: none, e.g. a recovery-kit redemption) and the
   * client address (null: an in-process caller).
   *
   * @throws TryLaterException (429) while a delay of either runs; nothing is counted then
   */
  public Ticket begin(String account, String clientAddress) {
    String address = addressKey(clientAddress);
    long now = System.currentTimeMillis();
    synchronized (lock) {
      Entry acc = account == null ? null : live(accounts, account, now);
      Entry adr = address == null ? null : live(addresses, address, now);
      long wait = Math.max(acc == null ? 0 : acc.blockedUntil - now, adr == null ? 0 : adr.blockedUntil - now);
      if (wait > 0) throw TryLaterException.delayed((wait + 999) / 1000);
      if ((acc == null && account != null && accounts.size() >= MAX_ENTRIES && purge(accounts, now))
          || (adr == null && address != null && addresses.size() >= MAX_ENTRIES && purge(addresses, now))) {
        throw TryLaterException.busy(60);
      }
      if (account != null && acc == null) accounts.put(account, acc = new Entry());
      if (address != null && adr == null) addresses.put(address, adr = new Entry());
      int accountCount = 0, addressCount = 0;
      long blockedBefore = 0, charge = 0;
      if (acc != null) {
        accountCount = ++acc.failures;
        acc.lastFailure = now;
        acc.blockedUntil = now + delayMillis(accountCount, config.loginFreeFailures());
      }
      if (adr != null) {
        blockedBefore = adr.blockedUntil;
        addressCount = ++adr.failures;
        adr.lastFailure = now;
        adr.blockedUntil = now + delayMillis(addressCount, config.loginAddressFreeFailures());
        charge = ++adr.charges;
      }
      return new Ticket(account, acc, accountCount, address, adr, addressCount, charge, blockedBefore);
    }
  }

  /** The password was wrong: the delay counts from now (the evaluation may have queued). */
  public void failed(Ticket t) {
    long now = System.currentTimeMillis();
    synchronized (lock) {
      if (t.accountEntry != null && accounts.get(t.account) == t.accountEntry) {
        t.accountEntry.blockedUntil = Math.max(t.accountEntry.blockedUntil,
            now + delayMillis(t.accountCount, config.loginFreeFailures()));
      }
      if (t.addressEntry != null && addresses.get(t.address) == t.addressEntry) {
        t.addressEntry.blockedUntil = Math.max(t.addressEntry.blockedUntil,
            now + delayMillis(t.addressCount, config.loginAddressFreeFailures()));
      }
    }
  }

  /**
   * The password (or kit) was right: the account starts afresh, and the address gets this
   * attempt back (so many people behind one address who type their passwords right never wait).
   */
  public void succeeded(Ticket t) {
    synchronized (lock) {
      if (t.account != null) accounts.remove(t.account, t.accountEntry);
      Entry adr = t.addressEntry;
      if (adr != null && addresses.get(t.address) == adr) {
        adr.failures = Math.max(0, adr.failures - 1);
        if (adr.charges == t.addressCharge) adr.blockedUntil = t.addressBlockedBefore; // nobody came since
        if (adr.failures == 0) addresses.remove(t.address, adr);
      }
    }
  }

  /** The recovery kit was redeemed: the account's delay is gone. */
  public void forgetAccount(String account) {
    synchronized (lock) {
      accounts.remove(account);
    }
  }

  /** 0 for the first {@code free} failures, then 30 s doubling up to the configured maximum. */
  long delayMillis(int failures, int free) {
    if (failures <= free) return 0;
    long first = config.loginFirstDelaySeconds() * 1000L;
    long max = config.loginMaxDelaySeconds() * 1000L;
    int doublings = Math.min(30, failures - free - 1);
    return Math.min(max, first << doublings);
  }

  private static Entry live(Map<String, Entry> map, String key, long now) {
    Entry e = map.get(key);
    if (e != null && now - e.lastFailure > FORGET_MILLIS && e.blockedUntil <= now) {
      map.remove(key);
      return null;
    }
    return e;
  }

  /** Drops forgotten entries; true if the table is still full. */
  private static boolean purge(Map<String, Entry> map, long now) {
    for (Iterator<Entry> it = map.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (now - e.lastFailure > FORGET_MILLIS && e.blockedUntil <= now) it.remove();
    }
    return map.size() >= MAX_ENTRIES;
  }

  /** The address a delay applies to: IPv4 as is, IPv6 by its /64 (one host usually has all of it). */
  static String addressKey(String clientAddress) {
    if (clientAddress == null || clientAddress.isBlank()) return null;
    String a = clientAddress.trim();
    if (a.indexOf(':') < 0) return a;
    try {
      byte[] b = InetAddress.getByName(a.startsWith("[") ? a.substring(1, a.length() - 1) : a).getAddress();
      if (b.length != 16) return a;
      return String.format("%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
    } catch (UnknownHostException e) {
      return a;
    }
  }
}
