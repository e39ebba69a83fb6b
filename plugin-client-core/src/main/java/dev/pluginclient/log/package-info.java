/**
 * Relaying of plugin stdout and stderr output to SLF4J: bounded line reading, hclog parsing,
 * secret redaction and rate limiting.
 */
package dev.pluginclient.log;
