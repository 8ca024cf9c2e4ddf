package io.github.tsm4j.examples.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

/**
 * A driver-side listener the tests install with {@code spark.extraListeners} (so that it also sees the contexts
 * that {@code tsm train} and {@code tsm predict} create): it maps executors to the worker that launched them (by the
 * worker web UI port in the executor's log URLs), counts successful and failed task attempts, sums the training
 * minibatch accumulator over successful tasks, and fires a kill action once: when a task starts after at least
 * {@link #killAfterTasks} tasks succeeded, the worker of the executor that runs it is killed, so the kill lands in a
 * running task, in the middle of the job (other tasks done, others pending), without any sleep.
 */
public final class ClusterProbe extends SparkListener {
    static final Map<String, Integer> EXECUTOR_UI_PORT = new ConcurrentHashMap<>();
    static final AtomicInteger SUCCEEDED = new AtomicInteger();
    static final List<String> FAILED = java.util.Collections.synchronizedList(new ArrayList<>());
    static final AtomicInteger MINIBATCHES = new AtomicInteger();
    /** Running tasks (task id → executor id): the kill may also land on a task that started before a success. */
    static final Map<Long, String> RUNNING = new ConcurrentHashMap<>();
    static volatile int killedWorkerUiPort = -1;
    static volatile int killAfterTasks;
    static volatile IntConsumer killer;
    static final AtomicBoolean FIRED = new AtomicBoolean();

    /** Spark instantiates this (zero-argument constructor). */
    public ClusterProbe() {}

    /** Clears the counters and the kill plan. */
    static void reset() {
        EXECUTOR_UI_PORT.clear();
        SUCCEEDED.set(0);
        FAILED.clear();
        MINIBATCHES.set(0);
        RUNNING.clear();
        killedWorkerUiPort = -1;
        killer = null;
        FIRED.set(false);
    }

    /**
     * @param afterTasks successful tasks before the kill
     * @param action receives the web UI port of the worker to kill; kills it
     */
    static void killOnce(int afterTasks, IntConsumer action) {
        killAfterTasks = afterTasks;
        killer = action;
    }

    private static void maybeKill(String executor) {
        Integer port = EXECUTOR_UI_PORT.get(executor);
        IntConsumer k = killer;
        if (k != null && port != null && SUCCEEDED.get() >= killAfterTasks && FIRED.compareAndSet(false, true)) {
            killedWorkerUiPort = port;
            k.accept(port);
        }
    }

    @Override
    public void onExecutorAdded(SparkListenerExecutorAdded e) {
        for (String url : scala.collection.JavaConverters.mapAsJavaMap(e.executorInfo().logUrlMap()).values()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("http://[^:/]+:(\\d+)/").matcher(url);
            if (m.find()) {
                EXECUTOR_UI_PORT.put(e.executorId(), Integer.parseInt(m.group(1)));
            }
        }
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart e) {
        RUNNING.put(e.taskInfo().taskId(), e.taskInfo().executorId());
        maybeKill(e.taskInfo().executorId());
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
        RUNNING.remove(e.taskInfo().taskId());
        if (e.reason() == Success$.MODULE$) {
            SUCCEEDED.incrementAndGet();
            // the scheduler may launch the next tasks before this success reaches the listener bus (their
            // TaskStart events come first on a fast machine): then kill the worker of a task still running
            for (String executor : RUNNING.values()) {
                maybeKill(executor);
                break;
            }
            for (AccumulableInfo a : scala.collection.JavaConverters.seqAsJavaList(e.taskInfo().accumulables())) {
                if (a.name().isDefined() && a.name().get().equals("tsm4j training minibatches")
                        && a.update().isDefined()) {
                    MINIBATCHES.addAndGet(((Number) a.update().get()).intValue());
                }
            }
        } else {
            FAILED.add("stage " + e.stageId() + " task " + e.taskInfo().index() + " on executor "
                    + e.taskInfo().executorId() + ": " + e.reason());
        }
    }
}
