// Command go-calculator-plugin is a calculator plugin built on HashiCorp go-plugin (the Debian
// package, version 1.0.1). Hosts start it with the CALCULATOR_PLUGIN magic cookie. It serves
// calculator.v1.Calculator and calculator.v1.FaultInjection over gRPC on a Unix socket, with
// AutoMTLS when the host sets PLUGIN_CLIENT_CERT. Its log lines on stderr are hclog JSON.
package main

import (
	"os"
	"time"

	"dev.pluginclient/interop/calculator"
	hclog "github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

func main() {
	mainStarted := time.Now()

	// go-plugin replaces os.Stdout and os.Stderr with pipes after the handshake, and in gRPC mode
	// nothing reads those pipes. Keep the process's real streams for log lines and Flood output.
	processStdout := os.Stdout
	processStderr := os.Stderr

	logger := hclog.New(&hclog.LoggerOptions{
		Name:       "go-calculator-plugin",
		Level:      hclog.Debug,
		Output:     processStderr,
		JSONFormat: true,
	})

	faults := newFaultState(logger, processStdout, processStderr, mainStarted)

	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: calculator.Handshake,
		Plugins: plugin.PluginSet{
			calculator.PluginName: &calculator.GRPCPlugin{
				Calculator:     &calculatorServer{faults: faults},
				FaultInjection: &faultInjectionServer{faults: faults},
			},
		},
		GRPCServer: func(options []grpc.ServerOption) *grpc.Server {
			// go-plugin creates the server right before it prints the handshake line.
			faults.markHandshake(time.Now())
			options = append(options,
				grpc.UnaryInterceptor(faults.interceptUnary),
				grpc.StreamInterceptor(faults.interceptStream))
			return grpc.NewServer(options...)
		},
		Logger: logger,
	})

	logger.Info("plugin stopped", "pid", os.Getpid())
}
