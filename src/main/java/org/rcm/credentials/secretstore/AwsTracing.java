package org.rcm.credentials.secretstore;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import jakarta.inject.Singleton;
import software.amazon.awssdk.awscore.AwsExecutionAttribute;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;

/**
 * One client span per AWS SDK call ({@code Ssm.GetParameter}), a child of the span current
 * when the call starts (the gRPC call's, when tracing is on); retries are counted on it, not
 * spanned. Its attributes are a fixed list that holds no name: service, operation, region,
 * AWS request id, HTTP status, attempts and the AWS error code. OpenTelemetry's own AWS SDK
 * instrumentation is not used because it records the secret's ARN
 * ({@code aws.secretsmanager.secret.arn}) on every Secrets Manager span.
 */
@Singleton // no client proxy between the SDK and each of its callbacks
class AwsTracing implements ExecutionInterceptor {

    private static final ExecutionAttribute<Span> SPAN = new ExecutionAttribute<>("rcm.trace.span");
    private static final ExecutionAttribute<Integer> ATTEMPTS = new ExecutionAttribute<>("rcm.trace.attempts");

    private final Tracer tracer;

    AwsTracing(OpenTelemetry openTelemetry) {
        this.tracer = openTelemetry.getTracer("org.rcm.credentials.aws");
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        Span span = tracer.spanBuilder(service + "." + operation)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute("rpc.system", "aws-api")
                .setAttribute("rpc.service", service)
                .setAttribute("rpc.method", operation)
                .startSpan();
        Region region = attributes.getAttribute(AwsExecutionAttribute.AWS_REGION);
        if (region != null) {
            span.setAttribute("cloud.region", region.id());
        }
        attributes.putAttribute(SPAN, span);
        attributes.putAttribute(ATTEMPTS, 0);
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        attributes.putAttribute(ATTEMPTS, attributes.getAttribute(ATTEMPTS) + 1);
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        Span span = attributes.getAttribute(SPAN);
        if (span != null) {
            SdkHttpResponse response = context.httpResponse();
            response.firstMatchingHeader("x-amzn-RequestId").ifPresent(id -> span.setAttribute("aws.request_id", id));
            end(span.setAttribute("http.response.status_code", response.statusCode()), attributes);
        }
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        Span span = attributes.getAttribute(SPAN);
        if (span == null) {
            return;
        }
        // the error code, never AWS's message: messages may name the parameter or secret
        String error = context.exception().getClass().getSimpleName();
        if (context.exception() instanceof AwsServiceException e) {
            if (e.awsErrorDetails() != null && e.awsErrorDetails().errorCode() != null) {
                error = e.awsErrorDetails().errorCode();
            }
            span.setAttribute("http.response.status_code", e.statusCode());
            if (e.requestId() != null) {
                span.setAttribute("aws.request_id", e.requestId());
            }
        }
        span.setAttribute("error.type", error).setStatus(StatusCode.ERROR, error);
        end(span, attributes);
    }

    private static void end(Span span, ExecutionAttributes attributes) {
        span.setAttribute("rcm.aws.attempts", attributes.getAttribute(ATTEMPTS));
        span.end();
    }
}
