/**
 * INTERNAL API: the group-commit writer, record codecs and the plugins' storage access. Public only
 * so the sibling packages can use it; never import it from another module.
 */
package dev.sluice.persistence.internal;
