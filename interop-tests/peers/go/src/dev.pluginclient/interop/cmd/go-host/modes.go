package main

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

func runSmoke(opts *options) error {
	s, err := startSession(opts)
	if err != nil {
		return err
	}
	defer s.kill()

	fmt.Printf("plugin pid=%d protocol=%s version=%d automtls=%t\n",
		s.pid(), s.client.Protocol(), s.client.NegotiatedVersion(), opts.autoMTLS)

	sum, err := s.add(opts, 5, 3)
	if err != nil {
		return err
	}
	fmt.Printf("result op=add a=5 b=3 value=%d\n", sum)

	killStarted := time.Now()
	s.kill()
	killMillis := millis(time.Since(killStarted))

	code, signal, known := s.exitStatus()
	if !known {
		fmt.Printf("exit pid=%d status=unknown kill_ms=%.1f\n", s.pid(), killMillis)
		return nil
	}
	fmt.Printf("exit pid=%d code=%d signal=%s kill_ms=%.1f\n", s.pid(), code, signal, killMillis)
	return nil
}

func runStartBench(opts *options) error {
	samples := make([]time.Duration, 0, opts.count)
	for i := 0; i < opts.count; i++ {
		started := time.Now()
		s, err := startSession(opts)
		if err != nil {
			return fmt.Errorf("start %d of %d: %w", i+1, opts.count, err)
		}
		_, err = s.add(opts, 5, 3)
		elapsed := time.Since(started)
		s.kill()
		if err != nil {
			return fmt.Errorf("start %d of %d: %w", i+1, opts.count, err)
		}
		samples = append(samples, elapsed)
	}

	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	printResult("start_to_first_call_median", millis(percentile(samples, 50)), "ms")
	printResult("start_to_first_call_min", millis(samples[0]), "ms")
	printResult("start_to_first_call_max", millis(samples[len(samples)-1]), "ms")
	printResult("starts", float64(len(samples)), "count")
	return nil
}

func runLatency(opts *options) error {
	s, err := startSession(opts)
	if err != nil {
		return err
	}
	defer s.kill()

	for i := 0; i < opts.warmup; i++ {
		if _, err := s.add(opts, int64(i), 1); err != nil {
			return fmt.Errorf("warm-up call %d: %w", i+1, err)
		}
	}

	samples := make([]time.Duration, 0, opts.count)
	var total time.Duration
	for i := 0; i < opts.count; i++ {
		started := time.Now()
		if _, err := s.add(opts, int64(i), 1); err != nil {
			return fmt.Errorf("measured call %d: %w", i+1, err)
		}
		elapsed := time.Since(started)
		samples = append(samples, elapsed)
		total += elapsed
	}

	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	printResult("add_latency_p50", micros(percentile(samples, 50)), "us")
	printResult("add_latency_p90", micros(percentile(samples, 90)), "us")
	printResult("add_latency_p99", micros(percentile(samples, 99)), "us")
	printResult("add_latency_max", micros(samples[len(samples)-1]), "us")
	printResult("add_latency_mean", micros(total/time.Duration(len(samples))), "us")
	printResult("calls", float64(len(samples)), "count")
	return nil
}

func runThroughput(opts *options) error {
	s, err := startSession(opts)
	if err != nil {
		return err
	}
	defer s.kill()

	var calls, failures int64
	var firstError atomic.Value
	deadline := time.Now().Add(opts.duration)
	started := time.Now()

	var workers sync.WaitGroup
	for worker := 0; worker < opts.concurrency; worker++ {
		workers.Add(1)
		go func(worker int) {
			defer workers.Done()
			for i := int64(0); time.Now().Before(deadline); i++ {
				if _, err := s.add(opts, int64(worker), i); err != nil {
					atomic.AddInt64(&failures, 1)
					firstError.CompareAndSwap(nil, err.Error())
					continue
				}
				atomic.AddInt64(&calls, 1)
			}
		}(worker)
	}
	workers.Wait()
	elapsed := time.Since(started)

	printResult("add_throughput", float64(calls)/elapsed.Seconds(), "calls/s")
	printResult("calls", float64(calls), "count")
	printResult("errors", float64(failures), "count")
	printResult("concurrency", float64(opts.concurrency), "count")
	if failures > 0 {
		return fmt.Errorf("%d of %d calls failed, first error: %v", failures, calls+failures, firstError.Load())
	}
	return nil
}

// percentile returns the nearest-rank percentile of sorted samples.
func percentile(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

func printResult(metric string, value float64, unit string) {
	formatted := strconv.FormatFloat(math.Round(value*1000)/1000, 'f', -1, 64)
	fmt.Printf("result metric=%s value=%s unit=%s\n", metric, formatted, unit)
}

func millis(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}

func micros(d time.Duration) float64 {
	return float64(d) / float64(time.Microsecond)
}
