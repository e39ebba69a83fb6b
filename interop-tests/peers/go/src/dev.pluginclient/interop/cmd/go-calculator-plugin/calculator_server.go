package main

import (
	"context"
	"io"
	"math"

	calculatorv1 "dev.pluginclient/interop/gen/calculator/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// calculatorServer implements calculator.v1.Calculator with checked int64 arithmetic. The fault
// switches act in the interceptors, not here.
type calculatorServer struct {
	faults *faultState
}

func (s *calculatorServer) Add(_ context.Context, request *calculatorv1.BinaryRequest) (*calculatorv1.Result, error) {
	sum, ok := addExact(request.A, request.B)
	if !ok {
		return nil, status.Errorf(codes.OutOfRange, "add overflows int64: a=%d, b=%d", request.A, request.B)
	}
	return &calculatorv1.Result{Value: sum}, nil
}

func (s *calculatorServer) Subtract(_ context.Context, request *calculatorv1.BinaryRequest) (*calculatorv1.Result, error) {
	difference := request.A - request.B
	// Subtraction overflows when the operands have different signs and the result's sign differs from a.
	if (request.A >= 0) != (request.B >= 0) && (difference >= 0) != (request.A >= 0) {
		return nil, status.Errorf(codes.OutOfRange, "subtract overflows int64: a=%d, b=%d", request.A, request.B)
	}
	return &calculatorv1.Result{Value: difference}, nil
}

func (s *calculatorServer) Multiply(_ context.Context, request *calculatorv1.BinaryRequest) (*calculatorv1.Result, error) {
	product, ok := multiplyExact(request.A, request.B)
	if !ok {
		return nil, status.Errorf(codes.OutOfRange, "multiply overflows int64: a=%d, b=%d", request.A, request.B)
	}
	return &calculatorv1.Result{Value: product}, nil
}

func (s *calculatorServer) Divide(_ context.Context, request *calculatorv1.BinaryRequest) (*calculatorv1.DivideResult, error) {
	if request.B == 0 {
		return nil, status.Errorf(codes.InvalidArgument, "division by zero: b must not be 0 (a=%d)", request.A)
	}
	return &calculatorv1.DivideResult{Value: float64(request.A) / float64(request.B)}, nil
}

func (s *calculatorServer) RunningSum(stream calculatorv1.Calculator_RunningSumServer) error {
	var sum int64
	for {
		number, err := stream.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}

		next, ok := addExact(sum, number.Value)
		if !ok {
			return status.Errorf(codes.OutOfRange, "running sum overflows int64: sum=%d, value=%d", sum, number.Value)
		}
		sum = next

		if err := stream.Send(&calculatorv1.Result{Value: sum}); err != nil {
			return err
		}
	}
}

func addExact(a, b int64) (int64, bool) {
	sum := a + b
	// Addition overflows only when both operands have the same sign and the sum's sign differs.
	overflow := (a >= 0) == (b >= 0) && (sum >= 0) != (a >= 0)
	return sum, !overflow
}

func multiplyExact(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	// The division check catches every wrap-around except MinInt64 * -1, whose quotient wraps too.
	if (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	product := a * b
	if product/b != a {
		return 0, false
	}
	return product, true
}
