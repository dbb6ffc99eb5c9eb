/** Auto-configuration of the answers replication failures give HTTP callers. */
@NullMarked
package dev.raftboot.spring.autoconfigure.web;

import org.jspecify.annotations.NullMarked;
