package org.rcm.credentials.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rcm.credentials.deploy.Manifests.AWS;
import static org.rcm.credentials.deploy.Manifests.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.support.Management;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * On ECS the alarms work end to end on paper: each alarm of cloudwatch-alarms.json watches a
 * metric the broker exports, which the otel-collector sidecar (otel-collector-config.yaml)
 * scrapes and writes with exactly the alarm's dimensions, into the log group the template
 * creates and the task role may write; the task definition runs that sidecar with that config.
 */
@QuarkusTest
class CloudWatchAlarmsTest {

    private static final String NAMESPACE = "RCM/CredentialBroker";

    /** An alarm's metric: its name and its dimension names. */
    private record Watched(String alarm, String metric, Set<String> dimensions) {
    }

    @Test
    void theSeedsThreeAlarmsAndThreeMoreNotifyOneTopic() throws Exception {
        JsonNode resources = json(AWS.resolve("cloudwatch-alarms.json")).get("Resources");
        List<String> alarms = new ArrayList<>();
        resources.fields().forEachRemaining(resource -> {
            JsonNode properties = resource.getValue().get("Properties");
            if (resource.getValue().get("Type").asText().equals("AWS::CloudWatch::Alarm")) {
                alarms.add(resource.getKey());
                assertThat(properties.get("AlarmActions").get(0).get("Ref").asText()).isEqualTo("AlarmTopic");
                assertThat(properties.get("AlarmDescription").asText()).isNotBlank();
            }
        });

        assertThat(alarms).containsExactlyInAnyOrder("RetrievalFailuresAlarm", "RotationFailedAlarm", "UnexpectedIpAlarm",
                "AuditWriteFailuresAlarm", "AwsThrottlingAlarm", "CacheHitRatioAlarm");
        assertThat(resources.get("AlarmTopic").get("Type").asText()).isEqualTo("AWS::SNS::Topic");
        assertThat(resources.at("/RetrievalFailuresAlarm/Properties/Threshold").asInt()).isEqualTo(5);
        assertThat(resources.at("/RetrievalFailuresAlarm/Properties/Metrics/0/MetricStat/Period").asInt()).isEqualTo(300);
    }

    @Test
    void everyAlarmWatchesAMetricTheBrokerExportsAndTheCollectorWritesWithItsDimensions() throws Exception {
        List<Watched> watched = watched();
        Map<String, Object> exporter = collector().get("exporters");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> declarations = (List<Map<String, Object>>) ((Map<String, Object>) exporter.get("awsemf"))
                .get("metric_declarations");
        Set<String> exported = Management.metricNames();

        assertThat(watched).hasSizeGreaterThanOrEqualTo(13);
        for (Watched w : watched) {
            assertThat(exported).as(w.alarm()).contains(w.metric());
            assertThat(declarations).as(w.alarm() + " " + w.metric()).anySatisfy(declaration -> {
                @SuppressWarnings("unchecked")
                List<String> selectors = (List<String>) declaration.get("metric_name_selectors");
                @SuppressWarnings("unchecked")
                List<List<String>> dimensionSets = (List<List<String>>) declaration.get("dimensions");
                assertThat(selectors).anyMatch(selector -> Pattern.compile(selector).matcher(w.metric()).find());
                assertThat(dimensionSets).anyMatch(set -> new TreeSet<>(set).equals(w.dimensions()));
            });
        }
    }

    @Test
    void theTaskRunsTheCollectorWithItsConfigAndTheCollectorWritesWhereTheTemplateAndTheRoleSay() throws Exception {
        JsonNode collectorContainer = null;
        for (JsonNode container : json(AWS.resolve("ecs-task-definition.json")).get("containerDefinitions")) {
            if (container.get("name").asText().equals("otel-collector")) {
                collectorContainer = container;
            }
        }
        assertThat(collectorContainer).isNotNull();
        String configParameter = collectorContainer.at("/secrets/0/valueFrom").asText();
        @SuppressWarnings("unchecked")
        Map<String, Object> emf = (Map<String, Object>) collector().get("exporters").get("awsemf");
        String logGroup = json(AWS.resolve("cloudwatch-alarms.json"))
                .at("/Resources/MetricsLogGroup/Properties/LogGroupName/Fn::Sub").asText();

        assertThat(collectorContainer.at("/secrets/0/name").asText()).isEqualTo("AOT_CONFIG_CONTENT");
        assertThat(collectorContainer.get("essential").asBoolean()).as("metrics never stop the broker").isFalse();
        assertThat(Files.readString(AWS.resolve("execution-role-policy.json"))).contains("\"Resource\": \"" + configParameter + "\"");
        assertThat(emf.get("namespace")).isEqualTo(NAMESPACE);
        assertThat(emf.get("log_group_name")).isEqualTo(logGroup);
        assertThat(Files.readString(AWS.resolve("task-role-policy.json"))).contains("log-group:" + logGroup + ":*");
        assertThat(Files.readString(AWS.resolve("otel-collector-config.yaml")))
                .contains("metrics_path: /q/metrics").contains("localhost:9000");
        // the broker's spans, when tracing is on: OTLP to the sidecar on the default endpoint, then X-Ray
        @SuppressWarnings("unchecked")
        Map<String, Object> pipelines = (Map<String, Object>) collector().get("service").get("pipelines");
        assertThat(pipelines).containsKey("traces");
        assertThat(Files.readString(AWS.resolve("otel-collector-config.yaml")))
                .contains("endpoint: 127.0.0.1:4317").contains("exporters: [awsxray]");
    }

    /** The metrics of every alarm, with their dimension names. */
    private static List<Watched> watched() throws Exception {
        List<Watched> watched = new ArrayList<>();
        json(AWS.resolve("cloudwatch-alarms.json")).get("Resources").fields().forEachRemaining(resource ->
                resource.getValue().path("Properties").path("Metrics").forEach(metric -> {
                    JsonNode stat = metric.path("MetricStat").path("Metric");
                    if (!stat.isMissingNode()) {
                        assertThat(stat.get("Namespace").asText()).isEqualTo(NAMESPACE);
                        Set<String> dimensions = new TreeSet<>();
                        stat.get("Dimensions").forEach(d -> dimensions.add(d.get("Name").asText()));
                        watched.add(new Watched(resource.getKey(), stat.get("MetricName").asText(), dimensions));
                    }
                }));
        return watched;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> collector() throws Exception {
        return (Map<String, Map<String, Object>>) new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(Files.readString(AWS.resolve("otel-collector-config.yaml")));
    }
}
