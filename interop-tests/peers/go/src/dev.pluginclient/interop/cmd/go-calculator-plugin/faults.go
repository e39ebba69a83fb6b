package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"time"

	"dev.pluginclient/interop/calculator"
	calculatorv1 "dev.pluginclient/interop/gen/calculator/v1"
	hclog "github.com/hashicorp/go-hclog"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const (
	calculatorServicePrefix     = "/calculator.v1.Calculator/"
	faultInjectionServicePrefix = "/calculator.v1.FaultInjection/"
	controllerServicePrefix     = "/plugin.GRPCController/"
)

// hangScope selects the calls that block while a Hang fault is active.
type hangScope int

const (
	hangNone hangScope = iota
	hangCalls
	hangAll
)

// faultState holds the fault switches. Every switch is off at start and after Reset.
type faultState struct {
	logger        hclog.Logger
	processStdout *os.File
	processStderr *os.File
	mainStarted   time.Time

	mutex         sync.Mutex
	handshakeAt   time.Time
	hang          hangScope
	hangReleased  chan struct{}
	delay         time.Duration
	failRemaining int32
}

func newFaultState(logger hclog.Logger, processStdout, processStderr *os.File, mainStarted time.Time) *faultState {
	return &faultState{
		logger:        logger,
		processStdout: processStdout,
		processStderr: processStderr,
		mainStarted:   mainStarted,
		hangReleased:  make(chan struct{}),
	}
}

func (f *faultState) markHandshake(at time.Time) {
	f.mutex.Lock()
	defer f.mutex.Unlock()
	f.handshakeAt = at
}

// interceptUnary applies the active faults before a unary call reaches its service.
func (f *faultState) interceptUnary(ctx context.Context, request interface{}, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (interface{}, error) {
	if err := f.applyFaults(ctx, info.FullMethod); err != nil {
		return nil, err
	}
	return handler(ctx, request)
}

// interceptStream applies the active faults before a streaming call reaches its service.
func (f *faultState) interceptStream(server interface{}, stream grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if err := f.applyFaults(stream.Context(), info.FullMethod); err != nil {
		return err
	}
	return handler(server, stream)
}

// applyFaults blocks, delays or fails one call according to the switches. FaultInjection calls are
// never affected so that a test can always Reset, and GRPCController calls are never affected so
// that a host can always stop the plugin.
func (f *faultState) applyFaults(ctx context.Context, method string) error {
	if strings.HasPrefix(method, faultInjectionServicePrefix) || strings.HasPrefix(method, controllerServicePrefix) {
		return nil
	}
	isCalculatorCall := strings.HasPrefix(method, calculatorServicePrefix)

	f.mutex.Lock()
	hang := f.hang
	hangReleased := f.hangReleased
	delay := f.delay
	fail := false
	if isCalculatorCall && f.failRemaining > 0 {
		f.failRemaining--
		fail = true
	}
	f.mutex.Unlock()

	if hang == hangAll || (hang == hangCalls && isCalculatorCall) {
		select {
		case <-hangReleased:
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		}
	}
	if !isCalculatorCall {
		return nil
	}
	if fail {
		return status.Errorf(codes.Unavailable, "injected failure for %s (FailNext)", method)
	}
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		}
	}
	return nil
}

// faultInjectionServer implements calculator.v1.FaultInjection on top of faultState.
type faultInjectionServer struct {
	faults *faultState
}

func (s *faultInjectionServer) Crash(_ context.Context, request *calculatorv1.CrashRequest) (*calculatorv1.FaultReply, error) {
	exitCode := int(request.ExitCode)
	if exitCode == 0 {
		exitCode = 1
	}
	s.faults.logger.Warn("crashing on request", "pid", os.Getpid(), "exit_code", exitCode)
	os.Exit(exitCode)
	return &calculatorv1.FaultReply{}, nil
}

func (s *faultInjectionServer) Hang(_ context.Context, request *calculatorv1.HangRequest) (*calculatorv1.FaultReply, error) {
	scope := hangAll
	if request.Scope == calculatorv1.HangRequest_CALLS {
		scope = hangCalls
	}

	f := s.faults
	f.mutex.Lock()
	f.hang = scope
	f.mutex.Unlock()

	f.logger.Warn("hanging on request", "pid", os.Getpid(), "scope", request.Scope.String())
	return &calculatorv1.FaultReply{}, nil
}

func (s *faultInjectionServer) Slow(_ context.Context, request *calculatorv1.SlowRequest) (*calculatorv1.FaultReply, error) {
	if request.DelayMillis < 0 {
		return nil, status.Errorf(codes.InvalidArgument, "delay_millis must be 0 or more, got %d", request.DelayMillis)
	}

	f := s.faults
	f.mutex.Lock()
	f.delay = time.Duration(request.DelayMillis) * time.Millisecond
	f.mutex.Unlock()

	f.logger.Info("delaying calculator calls", "pid", os.Getpid(), "delay_millis", request.DelayMillis)
	return &calculatorv1.FaultReply{}, nil
}

func (s *faultInjectionServer) FailNext(_ context.Context, request *calculatorv1.FailNextRequest) (*calculatorv1.FaultReply, error) {
	if request.Count < 0 {
		return nil, status.Errorf(codes.InvalidArgument, "count must be 0 or more, got %d", request.Count)
	}

	f := s.faults
	f.mutex.Lock()
	f.failRemaining = request.Count
	f.mutex.Unlock()

	f.logger.Info("failing next calculator calls", "pid", os.Getpid(), "count", request.Count)
	return &calculatorv1.FaultReply{}, nil
}

func (s *faultInjectionServer) Flood(_ context.Context, request *calculatorv1.FloodRequest) (*calculatorv1.FaultReply, error) {
	if request.Bytes < 0 {
		return nil, status.Errorf(codes.InvalidArgument, "bytes must be 0 or more, got %d", request.Bytes)
	}

	target := s.faults.processStdout
	if request.Stream == calculatorv1.FloodRequest_STDERR {
		target = s.faults.processStderr
	}
	s.faults.logger.Info("flooding", "pid", os.Getpid(), "stream", request.Stream.String(), "bytes", request.Bytes)

	// Writes block while the host does not read the pipe, which is the behaviour under test.
	if err := writeFlood(target, request.Bytes, request.SingleLine); err != nil {
		return nil, status.Errorf(codes.Internal, "writing %d bytes to %s failed: %v", request.Bytes, request.Stream, err)
	}
	return &calculatorv1.FaultReply{}, nil
}

// writeFlood writes count bytes of 'x' to target: lines of 80 characters (the line break counted
// in the total), or one line without a line break when singleLine is true.
func writeFlood(target *os.File, count int64, singleLine bool) error {
	const chunkSize = 64 * 1024
	var chunk []byte
	if singleLine {
		chunk = bytes.Repeat([]byte{'x'}, chunkSize)
	} else {
		line := append(bytes.Repeat([]byte{'x'}, 79), '\n')
		chunk = bytes.Repeat(line, chunkSize/len(line))
	}

	for remaining := count; remaining > 0; {
		size := int64(len(chunk))
		if remaining < size {
			size = remaining
		}
		if _, err := target.Write(chunk[:size]); err != nil {
			return err
		}
		remaining -= size
	}
	return nil
}

func (s *faultInjectionServer) Reset(_ context.Context, _ *calculatorv1.ResetRequest) (*calculatorv1.FaultReply, error) {
	f := s.faults
	f.mutex.Lock()
	f.hang = hangNone
	close(f.hangReleased)
	f.hangReleased = make(chan struct{})
	f.delay = 0
	f.failRemaining = 0
	f.mutex.Unlock()

	f.logger.Info("fault switches reset", "pid", os.Getpid())
	return &calculatorv1.FaultReply{}, nil
}

func (s *faultInjectionServer) Info(_ context.Context, _ *calculatorv1.InfoRequest) (*calculatorv1.InfoReply, error) {
	f := s.faults
	f.mutex.Lock()
	handshakeAt := f.handshakeAt
	f.mutex.Unlock()

	return &calculatorv1.InfoReply{
		Pid: int64(os.Getpid()),
		// Measured from main() entry, so the Go runtime's own start-up (a few ms) is not included.
		StartToHandshakeMillis: handshakeAt.Sub(f.mainStarted).Milliseconds(),
		ProtocolVersion:        int32(calculator.Handshake.ProtocolVersion),
		Implementation:         "go",
	}, nil
}
