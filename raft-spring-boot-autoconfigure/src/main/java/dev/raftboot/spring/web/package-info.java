/** How replication failures reach HTTP callers of a Spring MVC application. */
@NullMarked
package dev.raftboot.spring.web;

import org.jspecify.annotations.NullMarked;
