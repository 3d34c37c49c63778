package org.rcm.credentials.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rcm.credentials.deploy.Manifests.AWS;
import static org.rcm.credentials.deploy.Manifests.KMS_KEY_VARIABLES;
import static org.rcm.credentials.deploy.Manifests.KNOWN_VARIABLES;
import static org.rcm.credentials.deploy.Manifests.ROOT;
import static org.rcm.credentials.deploy.Manifests.SECRET_VARIABLES;
import static org.rcm.credentials.deploy.Manifests.SERVICE_VARIABLES;
import static org.rcm.credentials.deploy.Manifests.applicationDefaultPort;
import static org.rcm.credentials.deploy.Manifests.at;
import static org.rcm.credentials.deploy.Manifests.awsCallsOfTheService;
import static org.rcm.credentials.deploy.Manifests.base;
import static org.rcm.credentials.deploy.Manifests.brokerTask;
import static org.rcm.credentials.deploy.Manifests.containerPort;
import static org.rcm.credentials.deploy.Manifests.json;
import static org.rcm.credentials.deploy.Manifests.list;
import static org.rcm.credentials.deploy.Manifests.map;
import static org.rcm.credentials.deploy.Manifests.name;
import static org.rcm.credentials.deploy.Manifests.only;
import static org.rcm.credentials.deploy.Manifests.texts;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * Invariants of src/main/aws/: the ECS task definition, the load balancer's target group and
 * the IAM policies (the task role's, the tenant role's with its trust policy, the single-tenant
 * fallback's), checked against the service's settings and its AWS calls.
 */
class EcsAndIamTest {

    /**
     * The policies that reach tenants' secrets: the tenant role's (one tenant per session, by its
     * TenantId tag) and, for installations without a tenant role, the service role's own.
     */
    static final List<String> SECRET_POLICIES = List.of("tenant-role-policy.json", "single-tenant-policy.json");

    @Test
    void everyAwsDocumentParsesAsJson() throws IOException {
        try (Stream<Path> files = Files.list(AWS)) {
            List<Path> jsons = files.filter(p -> p.toString().endsWith(".json")).toList();
            assertThat(jsons).hasSizeGreaterThanOrEqualTo(3);
            for (Path file : jsons) {
                assertThat(json(file).isObject()).as(ROOT.relativize(file).toString()).isTrue();
            }
        }
    }

    @Test
    void ecsTaskDefinitionMapsBothPorts() throws IOException {
        Set<Integer> mapped = new TreeSet<>();
        brokerTask().get("portMappings").forEach(mapping -> mapped.add(mapping.get("containerPort").asInt()));
        assertThat(mapped).containsExactlyInAnyOrder(applicationDefaultPort("quarkus.http.ssl-port"),
                applicationDefaultPort("quarkus.management.port"));
    }

    @Test
    void ecsTaskDefinitionUsesTheServiceVariables() throws IOException {
        Set<String> names = new TreeSet<>();
        brokerTask().get("environment").forEach(e -> names.add(e.get("name").asText()));
        brokerTask().get("secrets").forEach(e -> names.add(e.get("name").asText()));
        assertThat(names).containsAll(SERVICE_VARIABLES);
        assertThat(KNOWN_VARIABLES).containsAll(names);
    }

    @Test
    void ecsSecretsComeFromSecretsManagerOrSsmNeverPlainValues() throws IOException {
        for (JsonNode container : json(AWS.resolve("ecs-task-definition.json")).get("containerDefinitions")) {
            for (JsonNode variable : container.path("environment")) {
                String name = variable.get("name").asText();
                if (!KMS_KEY_VARIABLES.contains(name)) {
                    assertThat(name).as(container.get("name").asText())
                            .doesNotContainPattern("PASSWORD|SECRET|TOKEN|^RCM_DB_|^RCM_IDEMPOTENCY_KEY$");
                }
                assertThat(variable.get("value").asText()).doesNotContain("BEGIN");
            }
            for (JsonNode secret : container.path("secrets")) {
                assertThat(secret.get("valueFrom").asText())
                        .matches("arn:\\$\\{Partition}:(secretsmanager|ssm):\\$\\{Region}:\\$\\{AccountId}:.+");
            }
        }
        Map<String, String> secrets = new HashMap<>();
        brokerTask().get("secrets").forEach(e -> secrets.put(e.get("name").asText(), e.get("valueFrom").asText()));
        assertThat(secrets.keySet()).containsAll(SECRET_VARIABLES);
        assertThat(secrets.get("RCM_IDEMPOTENCY_KEY"))
                .endsWith(":secret:rcm-broker/${Environment}/idempotency:key::");
    }

    @Test
    void ecsKmsKeyIsTheKeyTheSecretPoliciesGrant() throws IOException {
        Map<String, String> environment = new HashMap<>();
        brokerTask().get("environment").forEach(e -> environment.put(e.get("name").asText(), e.get("value").asText()));
        for (String policy : SECRET_POLICIES) {
            Set<String> keys = new TreeSet<>();
            json(AWS.resolve(policy)).get("Statement").forEach(statement -> {
                if (statement.get("Resource").asText().contains(":kms:")) {
                    keys.add(statement.get("Resource").asText());
                }
            });
            assertThat(keys).as(policy).hasSize(1);
            for (String variable : KMS_KEY_VARIABLES) {
                assertThat(environment.get(variable)).as(variable).isEqualTo(keys.iterator().next());
            }
        }
    }

    @Test
    void ecsBrokerRunsAsNonRootOnAReadOnlyRootFilesystem() throws IOException {
        JsonNode broker = brokerTask();
        assertThat(broker.get("user").asText()).isEqualTo("1001");
        assertThat(broker.get("readonlyRootFilesystem").asBoolean()).isTrue();
        Set<String> writable = new TreeSet<>();
        broker.get("mountPoints").forEach(m -> {
            if (!m.path("readOnly").asBoolean()) {
                writable.add(m.get("containerPath").asText());
            }
        });
        assertThat(writable).containsExactly("/tmp");
    }

    @Test
    void ecsContainersLogThroughAwslogs() throws IOException {
        for (JsonNode container : json(AWS.resolve("ecs-task-definition.json")).get("containerDefinitions")) {
            assertThat(container.at("/logConfiguration/logDriver").asText()).isEqualTo("awslogs");
        }
    }

    @Test
    void ecsHealthIsCheckedByTheTargetGroupOnTheManagementPort() throws IOException {
        JsonNode group = json(AWS.resolve("nlb-target-group.json"));
        assertThat(group.get("Port").asInt()).isEqualTo(applicationDefaultPort("quarkus.http.ssl-port"));
        assertThat(group.get("Protocol").asText()).as("TLS passes through to the broker").isEqualTo("TCP");
        assertThat(group.get("HealthCheckPort").asText())
                .isEqualTo(String.valueOf(applicationDefaultPort("quarkus.management.port")));
        assertThat(group.get("HealthCheckPath").asText()).isEqualTo("/q/health/ready");
        // The micro image has no curl: no container health check that could never pass.
        assertThat(brokerTask().has("healthCheck")).isFalse();
    }

    @Test
    void theLoadBalancerPassesTheClientsAddressThrough() throws IOException {
        JsonNode group = json(AWS.resolve("nlb-target-group.json"));
        JsonNode attributes = json(AWS.resolve("nlb-target-group-attributes.json"));
        Map<String, String> values = new HashMap<>();
        attributes.get("Attributes").forEach(a -> values.put(a.get("Key").asText(), a.get("Value").asText()));

        assertThat(group.get("TargetType").asText()).isEqualTo("ip");
        // ip targets see the load balancer's address unless this is on; per-tenant ranges and
        // the audited ip_address depend on the client's
        assertThat(values).containsEntry("preserve_client_ip.enabled", "true");
        // the broker reads no PROXY header: with proxy protocol on, every connection would fail
        assertThat(values).containsEntry("proxy_protocol_v2.enabled", "false");
        // in the cluster the Service is a ClusterIP: pods reach the broker with their own addresses
        assertThat(at(only(base(), "Service"), "spec", "type")).isEqualTo("ClusterIP");
    }

    @Test
    void tenantRolePolicyGrantsOnlyTheSessionTenantsNamesAndKeyUse() throws IOException {
        String arn = "arn:${Partition}:";
        String account = "${Region}:${AccountId}:";
        String tenant = "rcm/${Environment}/${aws:PrincipalTag/TenantId}/*";
        Set<String> kmsContexts = new TreeSet<>();
        for (JsonNode statement : json(AWS.resolve("tenant-role-policy.json")).get("Statement")) {
            String resource = statement.get("Resource").asText();
            String service = statement.get("Action").get(0).asText().split(":")[0];
            switch (service) {
                case "ssm" -> assertThat(resource).isEqualTo(arn + "ssm:" + account + "parameter/" + tenant);
                case "secretsmanager" -> assertThat(resource).isEqualTo(arn + "secretsmanager:" + account + "secret:" + tenant);
                case "kms" -> {
                    assertThat(resource).isEqualTo(arn + "kms:" + account + "key/${KmsKeyId}");
                    // one shared key, each use bound to the tenant's names by the encryption context
                    // that SSM (PARAMETER_ARN) and Secrets Manager (SecretARN) send to KMS
                    JsonNode condition = statement.get("Condition");
                    String via = condition.at("/StringEquals/kms:ViaService").asText();
                    assertThat(via).isIn("ssm.${Region}.amazonaws.com", "secretsmanager.${Region}.amazonaws.com");
                    JsonNode context = condition.get("StringLike");
                    assertThat(context.size()).isEqualTo(1);
                    String key = context.fieldNames().next();
                    kmsContexts.add(key);
                    assertThat(context.get(key).asText()).isEqualTo(via.startsWith("ssm.")
                            ? arn + "ssm:" + account + "parameter/" + tenant
                            : arn + "secretsmanager:" + account + "secret:" + tenant);
                }
                default -> throw new AssertionError("unexpected service " + service);
            }
        }
        assertThat(kmsContexts).containsExactly("kms:EncryptionContext:PARAMETER_ARN", "kms:EncryptionContext:SecretARN");
    }

    @Test
    void tenantRoleTrustsTheBrokersRoleToAssumeItWithExactlyTheTenantTag() throws IOException {
        JsonNode statements = json(AWS.resolve("tenant-role-trust-policy.json")).get("Statement");
        assertThat(statements.size()).isEqualTo(1);
        JsonNode trust = statements.get(0);
        assertThat(trust.get("Effect").asText()).isEqualTo("Allow");
        assertThat(trust.at("/Principal/AWS").asText()).isEqualTo(json(AWS.resolve("ecs-task-definition.json"))
                .get("taskRoleArn").asText());
        assertThat(texts(trust.get("Action"))).containsExactlyInAnyOrder("sts:AssumeRole", "sts:TagSession");
        assertThat(trust.at("/Condition/StringLike/aws:RequestTag~1TenantId").asText()).isEqualTo("?*");
        assertThat(texts(trust.at("/Condition/ForAllValues:StringEquals/aws:TagKeys"))).containsExactly("TenantId");
        assertThat(trust.at("/Condition/Null/sts:TransitiveTagKeys").asText()).isEqualTo("true");
    }

    @Test
    void taskRoleMayOnlyAssumeTheTenantRoleTheTaskNames() throws IOException {
        Map<String, String> environment = new HashMap<>();
        brokerTask().get("environment").forEach(e -> environment.put(e.get("name").asText(), e.get("value").asText()));
        String tenantRole = environment.get("RCM_AWS_TENANT_ROLE_ARN");
        assertThat(tenantRole).isEqualTo(json(AWS.resolve("ecs-task-definition.json")).get("taskRoleArn").asText() + "-tenant");
        Set<String> actions = new TreeSet<>();
        for (JsonNode statement : json(AWS.resolve("task-role-policy.json")).get("Statement")) {
            String resource = statement.get("Resource").asText();
            String service = statement.get("Action").get(0).asText().split(":")[0];
            statement.get("Action").forEach(a -> actions.add(a.asText()));
            switch (service) {
                case "sts" -> assertThat(resource).isEqualTo(tenantRole);
                // the otel-collector sidecar's EMF metrics, in their own log group
                case "logs" -> assertThat(resource).isEqualTo(
                        "arn:${Partition}:logs:${Region}:${AccountId}:log-group:/ecs/rcm-${Environment}/credential-broker-metrics:*");
                // and its spans, when tracing is on: X-Ray's write actions have no resource to scope to
                case "xray" -> assertThat(resource).isEqualTo("*");
                default -> throw new AssertionError("the task role itself reaches no secret: " + service);
            }
        }
        assertThat(actions).containsExactlyInAnyOrder("sts:AssumeRole", "sts:TagSession",
                "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams",
                "xray:PutTraceSegments", "xray:PutTelemetryRecords");
    }

    @Test
    void singleTenantPolicyIsScopedToTheEnvironmentsSecrets() throws IOException {
        String arn = "arn:${Partition}:";
        String account = "${Region}:${AccountId}:";
        for (JsonNode statement : json(AWS.resolve("single-tenant-policy.json")).get("Statement")) {
            String resource = statement.get("Resource").asText();
            String service = statement.get("Action").get(0).asText().split(":")[0];
            switch (service) {
                case "ssm" -> assertThat(resource).isEqualTo(arn + "ssm:" + account + "parameter/rcm/${Environment}/*");
                case "secretsmanager" -> assertThat(resource)
                        .isEqualTo(arn + "secretsmanager:" + account + "secret:rcm/${Environment}/*");
                case "kms" -> assertThat(resource).isEqualTo(arn + "kms:" + account + "key/${KmsKeyId}");
                default -> throw new AssertionError("unexpected service " + service);
            }
        }
    }

    /**
     * The SSM and Secrets Manager actions of both secret policies are exactly the calls that
     * src/main makes on their clients, plus ssm:GetParameterHistory, which nothing in src/main
     * calls: it stays granted because the issue asks for it. The KMS actions are what SSM and
     * Secrets Manager call with the service's key on its behalf (the kms:ViaService condition).
     */
    @Test
    void secretPoliciesGrantTheServicesAwsCallsPlusParameterHistory() throws IOException {
        Set<String> expected = new TreeSet<>(awsCallsOfTheService());
        assertThat(expected).contains("ssm:GetParameter", "secretsmanager:GetSecretValue");
        expected.addAll(List.of("ssm:GetParameterHistory", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"));
        for (String policy : SECRET_POLICIES) {
            Set<String> actions = new TreeSet<>();
            json(AWS.resolve(policy)).get("Statement")
                    .forEach(statement -> statement.get("Action").forEach(a -> actions.add(a.asText())));
            assertThat(actions).as(policy).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void onlyRegistryLoginAndXRayHaveAWildcardResource() throws IOException {
        for (String policy : List.of("task-role-policy.json", "execution-role-policy.json", "tenant-role-policy.json",
                "single-tenant-policy.json")) {
            for (JsonNode statement : json(AWS.resolve(policy)).get("Statement")) {
                List<String> actions = texts(statement.get("Action"));
                assertThat(actions).as(policy).noneMatch(action -> action.contains("*"));
                if (texts(statement.get("Resource")).contains("*")) {
                    // GetAuthorizationToken and X-Ray's writes cannot be scoped to a resource.
                    assertThat(List.of(List.of("ecr:GetAuthorizationToken"),
                            List.of("xray:PutTraceSegments", "xray:PutTelemetryRecords"))).as(policy).contains(actions);
                }
            }
        }
    }

    @Test
    void taskSecretsLiveOutsideTheTenantsPrefix() throws IOException {
        // The execution role reads the broker's own secrets; a tenant named like them must not clash.
        for (JsonNode container : json(AWS.resolve("ecs-task-definition.json")).get("containerDefinitions")) {
            container.path("secrets").forEach(secret -> assertThat(secret.get("valueFrom").asText())
                    .containsAnyOf(":secret:rcm-broker/${Environment}/", ":parameter/rcm-broker/${Environment}/"));
        }
    }
}
