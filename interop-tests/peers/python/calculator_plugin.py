"""A calculator plugin in Python that speaks the HashiCorp go-plugin protocol over gRPC.

It serves calculator.v1.Calculator, calculator.v1.FaultInjection, grpc.health.v1.Health (service
"plugin" is SERVING), plugin.GRPCController/Shutdown and plugin.GRPCBroker/StartStream on a
127.0.0.1 TCP port taken from PLUGIN_MIN_PORT..PLUGIN_MAX_PORT, with AutoMTLS when the host sets
PLUGIN_CLIENT_CERT. Log lines on stderr are JSON objects in go-plugin's hclog format.

scripts/build-peers.sh generates the gRPC stubs next to a copy of this file and writes a launcher
that runs it with Debian's /usr/bin/python3.
"""

import base64
import datetime
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from concurrent import futures

PROCESS_STARTED = time.monotonic()

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import grpc  # noqa: E402

from calculator.v1 import calculator_pb2, calculator_pb2_grpc  # noqa: E402
from grpc_health.v1 import health_pb2, health_pb2_grpc  # noqa: E402
from plugin import grpc_broker_pb2_grpc, grpc_controller_pb2, grpc_controller_pb2_grpc  # noqa: E402

COOKIE_KEY = "CALCULATOR_PLUGIN"
COOKIE_VALUE = "calculator-v1-7d2f4c"
CORE_PROTOCOL_VERSION = 1
APP_PROTOCOL_VERSION = 1
HEALTH_SERVICE_NAME = "plugin"
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

LOG = logging.getLogger("python-calculator-plugin")


class HclogJsonFormatter(logging.Formatter):
    """Formats records as the JSON lines that go-plugin hosts parse from a plugin's stderr."""

    def format(self, record):
        entry = {
            "@level": record.levelname.lower().replace("warning", "warn"),
            "@message": record.getMessage(),
            "@module": record.name,
            "@timestamp": datetime.datetime.now().astimezone().isoformat(timespec="microseconds"),
            "pid": os.getpid(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, separators=(",", ":"))


class Faults:
    """The fault switches of calculator.v1.FaultInjection. All are off at start and after Reset."""

    def __init__(self):
        self._lock = threading.Lock()
        self._hang_scope = None
        self._hang_released = threading.Event()
        self._delay_seconds = 0.0
        self._fail_remaining = 0

    def before_calculator_call(self, context):
        """Applies the switches to one Calculator call: hang, injected failure, then delay."""
        with self._lock:
            hang = self._hang_scope is not None
            released = self._hang_released
            delay = self._delay_seconds
            fail = self._fail_remaining > 0
            if fail:
                self._fail_remaining -= 1

        if hang:
            self._wait_for_release(released, context)
        if fail:
            context.abort(grpc.StatusCode.UNAVAILABLE, "injected failure (FailNext)")
        if delay > 0:
            time.sleep(delay)

    def before_health_call(self, context):
        """Blocks a health call while a Hang with scope ALL is active."""
        with self._lock:
            hang_all = self._hang_scope == calculator_pb2.HangRequest.ALL
            released = self._hang_released
        if hang_all:
            self._wait_for_release(released, context)

    @staticmethod
    def _wait_for_release(released, context):
        # Polls so that a cancelled call frees its worker thread instead of blocking it for ever.
        while not released.wait(0.1):
            if not context.is_active():
                context.abort(grpc.StatusCode.CANCELLED, "call cancelled while hanging")

    def hang(self, scope):
        with self._lock:
            self._hang_scope = scope

    def slow(self, delay_millis):
        with self._lock:
            self._delay_seconds = delay_millis / 1000.0

    def fail_next(self, count):
        with self._lock:
            self._fail_remaining = count

    def reset(self):
        with self._lock:
            self._hang_scope = None
            self._hang_released.set()
            self._hang_released = threading.Event()
            self._delay_seconds = 0.0
            self._fail_remaining = 0


def check_int64(context, operation, value):
    if value < INT64_MIN or value > INT64_MAX:
        context.abort(grpc.StatusCode.OUT_OF_RANGE, f"{operation} overflows int64")
    return value


class CalculatorServicer(calculator_pb2_grpc.CalculatorServicer):
    def __init__(self, faults):
        self._faults = faults

    def Add(self, request, context):
        self._faults.before_calculator_call(context)
        return calculator_pb2.Result(value=check_int64(context, "add", request.a + request.b))

    def Subtract(self, request, context):
        self._faults.before_calculator_call(context)
        return calculator_pb2.Result(value=check_int64(context, "subtract", request.a - request.b))

    def Multiply(self, request, context):
        self._faults.before_calculator_call(context)
        return calculator_pb2.Result(value=check_int64(context, "multiply", request.a * request.b))

    def Divide(self, request, context):
        self._faults.before_calculator_call(context)
        if request.b == 0:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                          f"division by zero: b must not be 0 (a={request.a})")
        return calculator_pb2.DivideResult(value=request.a / request.b)

    def RunningSum(self, request_iterator, context):
        self._faults.before_calculator_call(context)
        total = 0
        for number in request_iterator:
            total = check_int64(context, "running sum", total + number.value)
            yield calculator_pb2.Result(value=total)


class FaultInjectionServicer(calculator_pb2_grpc.FaultInjectionServicer):
    def __init__(self, faults, handshake_seconds):
        self._faults = faults
        self._handshake_seconds = handshake_seconds

    def Crash(self, request, context):
        exit_code = request.exit_code or 1
        LOG.warning("crashing on request with exit code %d", exit_code)
        logging.shutdown()
        os._exit(exit_code)

    def Hang(self, request, context):
        LOG.warning("hanging on request, scope %s", calculator_pb2.HangRequest.Scope.Name(request.scope))
        self._faults.hang(request.scope)
        return calculator_pb2.FaultReply()

    def Slow(self, request, context):
        if request.delay_millis < 0:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                          f"delay_millis must be 0 or more, got {request.delay_millis}")
        LOG.info("delaying calculator calls by %d ms", request.delay_millis)
        self._faults.slow(request.delay_millis)
        return calculator_pb2.FaultReply()

    def FailNext(self, request, context):
        if request.count < 0:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"count must be 0 or more, got {request.count}")
        LOG.info("failing the next %d calculator calls", request.count)
        self._faults.fail_next(request.count)
        return calculator_pb2.FaultReply()

    def Flood(self, request, context):
        if request.bytes < 0:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"bytes must be 0 or more, got {request.bytes}")
        stream_name = calculator_pb2.FloodRequest.Stream.Name(request.stream)
        LOG.info("flooding %s with %d bytes", stream_name, request.bytes)
        fd = 2 if request.stream == calculator_pb2.FloodRequest.STDERR else 1
        write_flood(fd, request.bytes, request.single_line)
        return calculator_pb2.FaultReply()

    def Reset(self, request, context):
        LOG.info("fault switches reset")
        self._faults.reset()
        return calculator_pb2.FaultReply()

    def Info(self, request, context):
        return calculator_pb2.InfoReply(
            pid=os.getpid(),
            # Measured from the interpreter reaching this module, so interpreter start-up is not included.
            start_to_handshake_millis=int((self._handshake_seconds[0] - PROCESS_STARTED) * 1000),
            protocol_version=APP_PROTOCOL_VERSION,
            implementation="python",
        )


def write_flood(fd, count, single_line):
    """Writes count bytes of 'x' to fd, as 80-character lines or as one line without a break."""
    if single_line:
        chunk = b"x" * 65536
    else:
        chunk = (b"x" * 79 + b"\n") * 819
    remaining = count
    while remaining > 0:
        # os.write may write less than asked when the pipe is nearly full.
        written = os.write(fd, chunk[:min(remaining, len(chunk))])
        remaining -= written


class HealthServicer(health_pb2_grpc.HealthServicer):
    def __init__(self, faults, stopping):
        self._faults = faults
        self._stopping = stopping

    def _status_of(self, service, context):
        if service in ("", HEALTH_SERVICE_NAME):
            return health_pb2.HealthCheckResponse.SERVING
        context.abort(grpc.StatusCode.NOT_FOUND, f"unknown health service {service!r}")

    def Check(self, request, context):
        self._faults.before_health_call(context)
        return health_pb2.HealthCheckResponse(status=self._status_of(request.service, context))

    def Watch(self, request, context):
        self._faults.before_health_call(context)
        yield health_pb2.HealthCheckResponse(status=self._status_of(request.service, context))
        # The status never changes while the plugin runs, so the stream only waits for its end.
        while context.is_active() and not self._stopping.wait(0.5):
            pass


class ControllerServicer(grpc_controller_pb2_grpc.GRPCControllerServicer):
    def __init__(self, stopping):
        self._stopping = stopping

    def Shutdown(self, request, context):
        LOG.info("shutdown requested by the host")
        self._stopping.set()
        return grpc_controller_pb2.Empty()


class BrokerServicer(grpc_broker_pb2_grpc.GRPCBrokerServicer):
    """Accepts the host's broker stream. This plugin brokers no extra connections, so it sends nothing."""

    def StartStream(self, request_iterator, context):
        for _ in request_iterator:
            pass
        return
        yield  # Makes this method a generator, as a server-streaming handler must be.


def read_port_range():
    """Returns (min, max) from PLUGIN_MIN_PORT and PLUGIN_MAX_PORT. Unset variables count as 0, and (0, 0) picks any free port."""
    values = []
    for name in ("PLUGIN_MIN_PORT", "PLUGIN_MAX_PORT"):
        text = os.environ.get(name, "")
        try:
            values.append(int(text) if text else 0)
        except ValueError:
            raise SystemExit(f"invalid {name} {text!r}: expected a port number")
    if values[0] > values[1]:
        raise SystemExit(f"invalid port range: PLUGIN_MIN_PORT {values[0]} is greater than "
                         f"PLUGIN_MAX_PORT {values[1]}")
    return values[0], values[1]


def port_is_free(port):
    """Checks the port with a plain bind first, because gRPC logs an error line for every port it fails to bind."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def bind_port(server, credentials, min_port, max_port):
    """Binds the first free 127.0.0.1 port in the range and returns it."""
    for port in range(min_port, max_port + 1):
        if port != 0 and not port_is_free(port):
            continue
        address = f"127.0.0.1:{port}"
        try:
            if credentials is None:
                bound = server.add_insecure_port(address)
            else:
                bound = server.add_secure_port(address, credentials)
        except RuntimeError:
            continue
        if bound:
            return bound
    raise SystemExit(f"no free TCP port on 127.0.0.1 in {min_port}..{max_port}")


def auto_mtls_credentials(client_cert_pem):
    """Creates a fresh P-521 certificate as go-plugin's AutoMTLS does and returns the server
    credentials that require the host's certificate, plus the handshake's base64 certificate field."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP521R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HashiCorp"),
    ])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(seconds=30))
        .not_valid_after(now + datetime.timedelta(days=365 * 30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                                     data_encipherment=False, key_agreement=True, key_cert_sign=True,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH]),
                       critical=False)
        .sign(key, hashes.SHA512())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
    credentials = grpc.ssl_server_credentials([(key_pem, cert_pem)], root_certificates=client_cert_pem.encode(),
                                              require_client_auth=True)
    # go-plugin expects the DER leaf in standard base64 without padding, because the line may not break.
    handshake_cert = base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode().rstrip("=")
    return credentials, handshake_cert


def main():
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(HclogJsonFormatter())
    logging.basicConfig(level=logging.DEBUG, handlers=[handler])

    if os.environ.get(COOKIE_KEY) != COOKIE_VALUE:
        sys.stderr.write("This binary is a plugin. These are not meant to be executed directly.\n"
                         "Please execute the program that consumes these plugins, which will\n"
                         "load any plugins automatically\n")
        return 1

    # go-plugin plugins ignore SIGINT so that Ctrl-C in a terminal reaches only the host, which decides.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    min_port, max_port = read_port_range()
    client_cert = os.environ.get("PLUGIN_CLIENT_CERT", "")
    credentials, handshake_cert = (None, "")
    if client_cert:
        LOG.info("configuring server automatic mTLS")
        credentials, handshake_cert = auto_mtls_credentials(client_cert)

    faults = Faults()
    stopping = threading.Event()
    handshake_seconds = [PROCESS_STARTED]
    # gRPC core sets SO_REUSEPORT by default, which would let two plugins bind the same port and
    # share its connections, so a port counts as free only when no one else listens on it.
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=32), options=[("grpc.so_reuseport", 0)])
    calculator_pb2_grpc.add_CalculatorServicer_to_server(CalculatorServicer(faults), server)
    calculator_pb2_grpc.add_FaultInjectionServicer_to_server(FaultInjectionServicer(faults, handshake_seconds), server)
    health_pb2_grpc.add_HealthServicer_to_server(HealthServicer(faults, stopping), server)
    grpc_controller_pb2_grpc.add_GRPCControllerServicer_to_server(ControllerServicer(stopping), server)
    grpc_broker_pb2_grpc.add_GRPCBrokerServicer_to_server(BrokerServicer(), server)

    port = bind_port(server, credentials, min_port, max_port)
    server.start()

    handshake_seconds[0] = time.monotonic()
    sys.stdout.write(f"{CORE_PROTOCOL_VERSION}|{APP_PROTOCOL_VERSION}|tcp|127.0.0.1:{port}|grpc|{handshake_cert}\n")
    sys.stdout.flush()
    LOG.debug("plugin address tcp 127.0.0.1:%d", port)

    stopping.wait()
    server.stop(grace=1).wait()
    LOG.info("plugin stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
