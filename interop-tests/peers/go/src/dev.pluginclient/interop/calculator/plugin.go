// Package calculator holds what the Go calculator plugin and the Go host share: the handshake
// settings and the go-plugin definition of the calculator plugin.
package calculator

import (
	"context"

	calculatorv1 "dev.pluginclient/interop/gen/calculator/v1"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// Handshake is the magic cookie and application protocol version that every calculator plugin
// implementation (Java, Go, Python) uses. The cookie only keeps users from running the plugin by
// hand; it is not a secret.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "CALCULATOR_PLUGIN",
	MagicCookieValue: "calculator-v1-7d2f4c",
}

// PluginName is the key of the calculator in the plugin set. It stays inside each process because
// the gRPC protocol does not send plugin names over the wire.
const PluginName = "calculator"

// Clients is what the host gets from Dispense: stubs for both services on the plugin's connection.
type Clients struct {
	Calculator     calculatorv1.CalculatorClient
	FaultInjection calculatorv1.FaultInjectionClient
}

// GRPCPlugin is the go-plugin definition of the calculator. The plugin process fills in the two
// servers; the host leaves them nil.
type GRPCPlugin struct {
	plugin.NetRPCUnsupportedPlugin

	Calculator     calculatorv1.CalculatorServer
	FaultInjection calculatorv1.FaultInjectionServer
}

// GRPCServer registers the calculator services on the plugin's gRPC server.
func (p *GRPCPlugin) GRPCServer(_ *plugin.GRPCBroker, server *grpc.Server) error {
	calculatorv1.RegisterCalculatorServer(server, p.Calculator)
	if p.FaultInjection != nil {
		calculatorv1.RegisterFaultInjectionServer(server, p.FaultInjection)
	}
	return nil
}

// GRPCClient creates the host-side stubs on the connection that go-plugin opened.
func (p *GRPCPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, conn *grpc.ClientConn) (interface{}, error) {
	return &Clients{
		Calculator:     calculatorv1.NewCalculatorClient(conn),
		FaultInjection: calculatorv1.NewFaultInjectionClient(conn),
	}, nil
}
