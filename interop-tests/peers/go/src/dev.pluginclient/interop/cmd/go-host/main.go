// Command go-host starts a calculator plugin with HashiCorp go-plugin (the Debian package, version
// 1.0.1) as a Go application would, calls it, and prints machine-readable lines on stdout. Tests use
// it to check that plugins interoperate with the reference host, and benchmarks use its numbers.
//
// Usage: go-host MODE [flags] -- PLUGIN_COMMAND [ARGS...]
//
// Modes:
//
//	smoke        start the plugin, call Add(5, 3), stop it with Kill and print its exit status
//	start-bench  -n times: start, first successful Add, Kill; print the start-to-first-call median
//	latency      start once, then -n sequential Add calls; print latency percentiles
//	throughput   start once, then -c concurrent callers for -d; print calls per second
//
// Result lines have the form "result metric=<name> value=<number> unit=<unit>". Errors go to stderr
// and make the exit status non-zero.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

// options holds the parsed command line.
type options struct {
	mode         string
	cookieKey    string
	cookieValue  string
	autoMTLS     bool
	startTimeout time.Duration
	callTimeout  time.Duration
	logLevel     string
	count        int
	warmup       int
	concurrency  int
	duration     time.Duration
	command      []string
}

func main() {
	opts, err := parseOptions(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "go-host: %v\n", err)
		fmt.Fprintln(os.Stderr, "usage: go-host smoke|start-bench|latency|throughput [flags] -- PLUGIN_COMMAND [ARGS...]")
		os.Exit(2)
	}

	switch opts.mode {
	case "smoke":
		err = runSmoke(opts)
	case "start-bench":
		err = runStartBench(opts)
	case "latency":
		err = runLatency(opts)
	case "throughput":
		err = runThroughput(opts)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "go-host: %s failed: %v\n", opts.mode, err)
		os.Exit(1)
	}
}

func parseOptions(args []string) (*options, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("missing mode")
	}
	opts := &options{mode: args[0]}
	switch opts.mode {
	case "smoke", "start-bench", "latency", "throughput":
	default:
		return nil, fmt.Errorf("unknown mode %q, expected smoke, start-bench, latency or throughput", opts.mode)
	}

	flags := flag.NewFlagSet("go-host "+opts.mode, flag.ContinueOnError)
	flags.StringVar(&opts.cookieKey, "cookie-key", "CALCULATOR_PLUGIN", "name of the magic cookie environment variable")
	flags.StringVar(&opts.cookieValue, "cookie-value", "calculator-v1-7d2f4c", "value of the magic cookie")
	flags.BoolVar(&opts.autoMTLS, "automtls", false, "let go-plugin set up mutual TLS with fresh certificates (AutoMTLS)")
	flags.DurationVar(&opts.startTimeout, "start-timeout", 30*time.Second, "maximum time from process start to the handshake line")
	flags.DurationVar(&opts.callTimeout, "call-timeout", 10*time.Second, "deadline of each Add call")
	flags.StringVar(&opts.logLevel, "log-level", "warn", "go-plugin log level on stderr: trace, debug, info, warn or error")
	flags.IntVar(&opts.count, "n", 20, "start-bench: number of plugin starts; latency: number of measured calls")
	flags.IntVar(&opts.warmup, "warmup", 200, "latency: number of unmeasured calls before measuring")
	flags.IntVar(&opts.concurrency, "c", 16, "throughput: number of concurrent callers")
	flags.DurationVar(&opts.duration, "d", 5*time.Second, "throughput: measuring time")
	if err := flags.Parse(args[1:]); err != nil {
		return nil, err
	}

	opts.command = flags.Args()
	if len(opts.command) == 0 {
		return nil, fmt.Errorf("missing plugin command after the flags (put it after --)")
	}
	if opts.count < 1 {
		return nil, fmt.Errorf("invalid -n %d, must be 1 or more", opts.count)
	}
	if opts.warmup < 0 {
		return nil, fmt.Errorf("invalid -warmup %d, must be 0 or more", opts.warmup)
	}
	if opts.concurrency < 1 {
		return nil, fmt.Errorf("invalid -c %d, must be 1 or more", opts.concurrency)
	}
	if opts.duration <= 0 {
		return nil, fmt.Errorf("invalid -d %s, must be positive", opts.duration)
	}
	return opts, nil
}
