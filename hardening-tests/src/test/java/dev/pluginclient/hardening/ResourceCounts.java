package dev.pluginclient.hardening;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The resources a leak would grow: live threads, open file descriptors, used heap after garbage
 * collection (bytes) and child processes other than the orphan watchdog.
 */
record ResourceCounts(int threads, long fileDescriptors, long heapBytes, long childProcesses) {

    static ResourceCounts measure() {
        return new ResourceCounts(ManagementFactory.getThreadMXBean().getThreadCount(), openFileDescriptors(),
                usedHeapAfterGc(), Plugins.pluginProcesses().size());
    }

    static long openFileDescriptors() {
        try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.count();
        } catch (IOException failure) {
            throw new IllegalStateException("cannot list /proc/self/fd", failure);
        }
    }

    /**
     * Returns the heap in use right after a requested full collection, in bytes: the sum over the heap
     * pools of their usage after the last collection. Reading the pools' current usage instead would
     * count what busy threads allocated since. System.gc() is only a request, so take the minimum of
     * a few rounds.
     */
    static long usedHeapAfterGc() {
        long minimum = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            System.gc();
            long used = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                MemoryUsage afterCollection = pool.getCollectionUsage();
                if (pool.getType() == MemoryType.HEAP && afterCollection != null) {
                    used += afterCollection.getUsed();
                }
            }
            minimum = Math.min(minimum, used);
        }
        return minimum;
    }

    String describe() {
        return "threads " + threads + ", fds " + fileDescriptors + ", heap " + heapBytes / (1024 * 1024)
                + " MiB, child processes " + childProcesses;
    }
}
