package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"dev.pluginclient/interop/calculator"
	calculatorv1 "dev.pluginclient/interop/gen/calculator/v1"
	hclog "github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
)

// session is one started plugin process and its calculator stub.
type session struct {
	client     *plugin.Client
	cmd        *exec.Cmd
	calculator calculatorv1.CalculatorClient
}

// startSession starts the plugin process, waits for its handshake and opens the gRPC connection.
// On error the process has already been stopped.
func startSession(opts *options) (*session, error) {
	cmd := exec.Command(opts.command[0], opts.command[1:]...)
	handshake := calculator.Handshake
	handshake.MagicCookieKey = opts.cookieKey
	handshake.MagicCookieValue = opts.cookieValue

	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  handshake,
		Plugins:          plugin.PluginSet{calculator.PluginName: &calculator.GRPCPlugin{}},
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         opts.autoMTLS,
		StartTimeout:     opts.startTimeout,
		Logger: hclog.New(&hclog.LoggerOptions{
			Name:   "go-host",
			Level:  hclog.LevelFromString(opts.logLevel),
			Output: os.Stderr,
		}),
	})

	protocolClient, err := client.Client()
	if err != nil {
		client.Kill()
		return nil, fmt.Errorf("starting plugin %q failed: %w", opts.command[0], err)
	}
	dispensed, err := protocolClient.Dispense(calculator.PluginName)
	if err != nil {
		client.Kill()
		return nil, fmt.Errorf("dispensing %q from plugin %q failed: %w", calculator.PluginName, opts.command[0], err)
	}

	return &session{
		client:     client,
		cmd:        cmd,
		calculator: dispensed.(*calculator.Clients).Calculator,
	}, nil
}

func (s *session) pid() int {
	return s.cmd.Process.Pid
}

// add calls Add with the per-call deadline from the options.
func (s *session) add(opts *options, a, b int64) (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), opts.callTimeout)
	defer cancel()

	result, err := s.calculator.Add(ctx, &calculatorv1.BinaryRequest{A: a, B: b})
	if err != nil {
		return 0, fmt.Errorf("Add(%d, %d) failed: %w", a, b, err)
	}
	return result.Value, nil
}

// kill runs go-plugin's Kill: GRPCController.Shutdown, up to 2 s for the process to exit, then SIGKILL.
func (s *session) kill() {
	s.client.Kill()
}

// exitStatus describes how the process ended. It is valid only after kill, because go-plugin's
// own goroutine calls cmd.Wait and Kill waits for that goroutine.
func (s *session) exitStatus() (code int, signal string, known bool) {
	state := s.cmd.ProcessState
	if state == nil {
		return 0, "", false
	}
	waitStatus, ok := state.Sys().(syscall.WaitStatus)
	if ok && waitStatus.Signaled() {
		return -1, waitStatus.Signal().String(), true
	}
	return state.ExitCode(), "none", true
}
