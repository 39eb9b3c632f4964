package org.medledger.ledger.embedded;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A storage layer that models a disk's write cache: writes reach the file (the page cache) at
 * once, but only what {@code force} flushed survives {@link #cutPower()}, which puts every file
 * back to its last forced contents and makes the channels fail from then on, as a machine that
 * lost power would. (SIGKILL cannot show this: the kernel keeps the page cache of a killed
 * process, so a crash test without a power cut passes with no fsync at all.)
 */
final class PowerCutStorage implements BlockFile.Storage {
  private final List<Disk> disks = new ArrayList<>();
  private volatile boolean off;

  @Override
  public synchronized FileChannel open(Path file, Set<? extends OpenOption> options)
      throws IOException {
    if (off) {
      throw new IOException("power is off");
    }
    FileChannel real = OwnerOnly.open(file, options);
    Disk d = new Disk(file, real, Files.readAllBytes(file)); // what is there now is durable
    disks.add(d);
    return d;
  }

  /** Every byte not yet forced is lost; every channel fails from now on. */
  synchronized void cutPower() throws IOException {
    off = true;
    for (Disk d : disks) {
      synchronized (d) {
        Files.write(file(d), d.durable);
      }
    }
  }

  private static Path file(Disk d) {
    return d.file;
  }

  private final class Disk extends FileChannel {
    private final Path file;
    private final FileChannel real;
    private byte[] durable;

    Disk(Path file, FileChannel real, byte[] durable) {
      this.file = file;
      this.real = real;
      this.durable = durable;
    }

    private void on() throws IOException {
      if (off) {
        throw new IOException("Input/output error (power is off)");
      }
    }

    @Override
    public synchronized void force(boolean metaData) throws IOException {
      on();
      real.force(metaData);
      // data and size alike: both force(false) (fdatasync) and force(true) make them durable
      durable = new byte[(int) real.size()];
      ByteBuffer b = ByteBuffer.wrap(durable);
      long at = 0;
      while (b.hasRemaining()) {
        int r = real.read(b, at);
        if (r < 0) {
          break;
        }
        at += r;
      }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      on();
      return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      on();
      return real.read(dsts, offset, length);
    }

    @Override
    public synchronized int write(ByteBuffer src) throws IOException {
      on();
      return real.write(src);
    }

    @Override
    public synchronized long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      on();
      return real.write(srcs, offset, length);
    }

    @Override
    public long position() throws IOException {
      return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      real.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      on();
      return real.size();
    }

    @Override
    public synchronized FileChannel truncate(long size) throws IOException {
      on();
      real.truncate(size);
      return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target)
        throws IOException {
      throw new UnsupportedOperationException();
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count)
        throws IOException {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      on();
      return real.read(dst, position);
    }

    @Override
    public synchronized int write(ByteBuffer src, long position) throws IOException {
      on();
      return real.write(src, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) {
      throw new UnsupportedOperationException("mapped writes would bypass the model");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      real.close();
    }
  }
}
