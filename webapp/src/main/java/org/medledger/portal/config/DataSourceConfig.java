package org.medledger.portal.config;

import jakarta.annotation.sql.DataSourceDefinition;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The portal database. Payara resolves the MPCONFIG references from system properties, the
 * environment (MEDLEDGER_JDBC_URL, ...) or META-INF/microprofile-config.properties (H2 file
 * under the data directory). PostgreSQL: set the URL, class, user and password.
 */
@DataSourceDefinition(
    name = "java:app/jdbc/medledger",
    className = "${MPCONFIG=medledger.jdbc.class}",
    url = "${MPCONFIG=medledger.jdbc.url}",
    user = "${MPCONFIG=medledger.jdbc.user}",
    password = "${MPCONFIG=medledger.jdbc.password}",
    minPoolSize = 1,
    maxPoolSize = 16)
@ApplicationScoped
public class DataSourceConfig {}
