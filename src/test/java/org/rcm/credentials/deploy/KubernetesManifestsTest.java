package org.rcm.credentials.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rcm.credentials.deploy.Manifests.AWS;
import static org.rcm.credentials.deploy.Manifests.DOCKER;
import static org.rcm.credentials.deploy.Manifests.K8S;
import static org.rcm.credentials.deploy.Manifests.KMS_KEY_VARIABLES;
import static org.rcm.credentials.deploy.Manifests.KNOWN_VARIABLES;
import static org.rcm.credentials.deploy.Manifests.OVERLAYS;
import static org.rcm.credentials.deploy.Manifests.ROOT;
import static org.rcm.credentials.deploy.Manifests.SECRET_VARIABLES;
import static org.rcm.credentials.deploy.Manifests.SERVICE_VARIABLES;
import static org.rcm.credentials.deploy.Manifests.applicationDefaultPort;
import static org.rcm.credentials.deploy.Manifests.at;
import static org.rcm.credentials.deploy.Manifests.base;
import static org.rcm.credentials.deploy.Manifests.brokerContainer;
import static org.rcm.credentials.deploy.Manifests.containerPort;
import static org.rcm.credentials.deploy.Manifests.env;
import static org.rcm.credentials.deploy.Manifests.kind;
import static org.rcm.credentials.deploy.Manifests.list;
import static org.rcm.credentials.deploy.Manifests.map;
import static org.rcm.credentials.deploy.Manifests.mountedVolume;
import static org.rcm.credentials.deploy.Manifests.name;
import static org.rcm.credentials.deploy.Manifests.only;
import static org.rcm.credentials.deploy.Manifests.podSpec;
import static org.rcm.credentials.deploy.Manifests.ports;
import static org.rcm.credentials.deploy.Manifests.render;
import static org.rcm.credentials.deploy.Manifests.strings;
import static org.rcm.credentials.deploy.Manifests.volume;
import static org.rcm.credentials.deploy.Manifests.volumeOf;
import static org.rcm.credentials.deploy.Manifests.yamlDocuments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Invariants of k8s/ (kustomize base and overlays), checked against each other and against
 * application.properties. Plain JUnit: no Quarkus, no cluster. With kubectl on the PATH the
 * overlays are also rendered and checked; without it those checks are skipped, except in CI
 * (environment variable CI=true), where they fail.
 */
class KubernetesManifestsTest {

    @Test
    void everyKubernetesManifestParsesAndNamesItsKind() throws IOException {
        try (Stream<Path> files = Files.walk(K8S)) {
            List<Path> yamls = files.filter(p -> p.toString().endsWith(".yaml")).toList();
            assertThat(yamls).isNotEmpty();
            for (Path file : yamls) {
                for (Map<String, Object> doc : yamlDocuments(file)) {
                    assertThat(doc).as(ROOT.relativize(file).toString()).containsKeys("apiVersion", "kind");
                }
            }
        }
    }

    @Test
    void baseKustomizationListsEveryManifestOfTheBase() throws IOException {
        List<String> listed = strings(at(yamlDocuments(K8S.resolve("base/kustomization.yaml")).get(0), "resources"));
        try (Stream<Path> files = Files.list(K8S.resolve("base"))) {
            List<String> present = files.map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".yaml") && !name.equals("kustomization.yaml"))
                    .toList();
            assertThat(listed).containsExactlyInAnyOrderElementsOf(present);
        }
    }

    @Test
    void probesAreHttpOnTheManagementPort() {
        Map<String, Object> container = brokerContainer(base());
        int managementPort = applicationDefaultPort("quarkus.management.port");
        Map<String, String> expected = Map.of("startupProbe", "/q/health/started", "livenessProbe", "/q/health/live",
                "readinessProbe", "/q/health/ready");
        expected.forEach((probe, path) -> {
            Map<String, Object> httpGet = map(at(container, probe, "httpGet"));
            assertThat(httpGet.get("path")).as(probe).isEqualTo(path);
            assertThat(containerPort(container, httpGet.get("port"))).as(probe).isEqualTo(managementPort);
        });
    }

    @Test
    void podAndContainerRunAsNonRootWithoutPrivileges() {
        Map<String, Object> pod = podSpec(base());
        Map<String, Object> container = map(brokerContainer(base()).get("securityContext"));
        assertThat(at(pod, "securityContext", "runAsNonRoot")).isEqualTo(true);
        assertThat(at(pod, "securityContext", "runAsUser")).isEqualTo(1001);
        assertThat(container.get("runAsNonRoot")).isEqualTo(true);
        assertThat(container.get("allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(strings(at(container, "capabilities", "drop"))).containsExactly("ALL");
    }

    @Test
    void rootFilesystemIsReadOnlyAndTmpIsAnEmptyDir() {
        Map<String, Object> container = brokerContainer(base());
        assertThat(at(container, "securityContext", "readOnlyRootFilesystem")).isEqualTo(true);
        String tmpVolume = mountedVolume(container, "/tmp");
        assertThat(volume(podSpec(base()), tmpVolume)).containsKey("emptyDir");
    }

    @Test
    void tlsFilesComeFromTheCertificateSecret() {
        Map<String, Object> container = brokerContainer(base());
        String secretName = (String) at(only(base(), "Certificate"), "spec", "secretName");
        for (String variable : List.of("RCM_TLS_CERT", "RCM_TLS_KEY")) {
            assertThat(at(volume(podSpec(base()), volumeOf(container, variable)), "secret", "secretName")).as(variable)
                    .isEqualTo(secretName);
        }
    }

    /**
     * Client certificates are trusted from a CA of their own, never the server's issuer (which
     * any namespace allowed to request certificates could use to make itself a tenant's admin):
     * the Bundle of the client CA's certificate, from the ClusterIssuer of k8s/clients, whose
     * policy gives a worker namespace its own tenant's worker id for at most a day.
     */
    @Test
    void clientCertificatesComeFromADedicatedCaUnderPolicy() throws IOException {
        Map<String, Object> container = brokerContainer(base());
        Map<String, Object> bundle = only(base(), "Bundle");
        assertThat(at(volume(podSpec(base()), volumeOf(container, "RCM_TLS_CLIENT_CA")), "configMap", "name"))
                .isEqualTo(name(bundle));
        List<Map<String, Object>> clients = new ArrayList<>();
        for (String resource : strings(at(yamlDocuments(K8S.resolve("clients/kustomization.yaml")).get(0), "resources"))) {
            clients.addAll(yamlDocuments(K8S.resolve("clients").resolve(resource)));
        }
        Map<String, Object> clientIssuer = only(clients, "ClusterIssuer");
        assertThat(at(bundle, "spec", "sources")).asString().contains((String) at(clientIssuer, "spec", "ca", "secretName"));
        assertThat(at(only(base(), "Certificate"), "spec", "issuerRef", "name")).as("the server's issuer")
                .isNotEqualTo(name(clientIssuer));

        Map<String, Object> policy = only(clients, "CertificateRequestPolicy");
        assertThat(at(policy, "spec", "selector", "issuerRef", "name")).isEqualTo(name(clientIssuer));
        List<String> uris = strings(at(policy, "spec", "allowed", "uris", "values"));
        assertThat(uris).singleElement().asString().matches("spiffe://[^/]+/tenant/[A-Za-z0-9_.-]+/worker");
        assertThat(at(policy, "spec", "constraints", "maxDuration")).isEqualTo("24h");
        Map<String, Object> worker = only(clients, "Certificate");
        assertThat(at(worker, "spec", "issuerRef", "name")).isEqualTo(name(clientIssuer));
        assertThat(at(worker, "spec", "duration")).isEqualTo("24h");
        assertThat(strings(at(worker, "spec", "uris"))).isEqualTo(uris);
    }

    @Test
    void databaseSettingsAndTheIdempotencyKeyComeFromASecret() {
        Map<String, Map<String, Object>> env = env(brokerContainer(base()));
        for (String variable : SECRET_VARIABLES) {
            assertThat(at(env.get(variable), "valueFrom", "secretKeyRef", "name")).as(variable).isNotNull();
        }
        assertThat(at(env.get("RCM_IDEMPOTENCY_KEY"), "valueFrom", "secretKeyRef"))
                .isEqualTo(Map.of("name", "credential-broker-idempotency", "key", "key"));
    }

    @Test
    void deploymentSetsEveryServiceVariableAndNoUnknownOne() {
        Set<String> names = env(brokerContainer(base())).keySet();
        assertThat(names).containsAll(SERVICE_VARIABLES);
        assertThat(KNOWN_VARIABLES).containsAll(names);
    }

    @Test
    void resourcesHaveRequestsAndLimits() {
        Map<String, Object> resources = map(brokerContainer(base()).get("resources"));
        assertThat(map(resources.get("requests"))).containsKeys("cpu", "memory");
        assertThat(map(resources.get("limits"))).containsKeys("cpu", "memory");
    }

    @Test
    void atLeastTwoReplicasAndTheBudgetLeavesOneToEvict() {
        Map<String, Object> hpa = only(base(), "HorizontalPodAutoscaler");
        int minReplicas = (Integer) at(hpa, "spec", "minReplicas");
        assertThat(minReplicas).isGreaterThanOrEqualTo(2);
        // The autoscaler owns the replica count; a fixed one would be reset on every apply.
        assertThat(map(only(base(), "Deployment").get("spec"))).doesNotContainKey("replicas");
        assertThat(at(hpa, "spec", "scaleTargetRef", "name")).isEqualTo(name(only(base(), "Deployment")));
        assertThat((Integer) at(only(base(), "PodDisruptionBudget"), "spec", "minAvailable")).isLessThan(minReplicas);
    }

    @Test
    void serviceAccountCarriesTheIrsaRoleAnnotation() {
        Map<String, Object> account = only(base(), "ServiceAccount");
        assertThat((String) at(account, "metadata", "annotations", "eks.amazonaws.com/role-arn"))
                .matches("arn:aws[a-z-]*:iam::\\d{12}:role/.+");
        assertThat(at(podSpec(base()), "serviceAccountName")).isEqualTo(name(account));
    }

    @Test
    void containerPortsAreTheApplicationDefaults() {
        Map<String, Object> container = brokerContainer(base());
        assertThat(containerPort(container, "grpc")).isEqualTo(applicationDefaultPort("quarkus.http.ssl-port"));
        assertThat(containerPort(container, "management")).isEqualTo(applicationDefaultPort("quarkus.management.port"));
        Map<String, Map<String, Object>> env = env(container);
        assertThat(env.get("RCM_GRPC_PORT").get("value")).isEqualTo(String.valueOf(containerPort(container, "grpc")));
        assertThat(env.get("RCM_MANAGEMENT_PORT").get("value"))
                .isEqualTo(String.valueOf(containerPort(container, "management")));
    }

    @Test
    void servicePortsReachTheContainerPorts() {
        Map<String, Object> container = brokerContainer(base());
        Map<Integer, Integer> servedToContainer = new HashMap<>();
        for (Object port : list(at(only(base(), "Service"), "spec", "ports"))) {
            Map<String, Object> servicePort = map(port);
            servedToContainer.put((Integer) servicePort.get("port"),
                    containerPort(container, servicePort.get("targetPort")));
        }
        assertThat(servedToContainer).containsExactlyInAnyOrderEntriesOf(Map.of(8443, 8443, 9000, 9000));
    }

    @Test
    void networkPolicyAdmitsGrpcFromWorkersAndMetricsFromMonitoring() {
        List<Object> ingress = list(at(only(base(), "NetworkPolicy"), "spec", "ingress"));
        assertThat(ingress.stream().map(rule -> ports(rule)).toList())
                .containsExactlyInAnyOrder(Set.of(8443), Set.of(9000));
        Object monitoringRule = ingress.stream().filter(rule -> ports(rule).contains(9000)).findFirst().orElseThrow();
        assertThat(String.valueOf(map(monitoringRule).get("from"))).contains("monitoring");
    }

    @Test
    void networkPolicyLetsOutOnlyDnsPostgresAndHttps() {
        Set<Integer> egress = new TreeSet<>();
        list(at(only(base(), "NetworkPolicy"), "spec", "egress")).forEach(rule -> egress.addAll(ports(rule)));
        assertThat(egress).containsExactly(53, 443, 5432);
        assertThat(strings(at(only(base(), "NetworkPolicy"), "spec", "policyTypes")))
                .containsExactlyInAnyOrder("Ingress", "Egress");
    }

    @Test
    void noSecretObjectOrKeyMaterialIsCommitted() throws IOException {
        for (Path folder : List.of(K8S, AWS, DOCKER)) {
            try (Stream<Path> files = Files.walk(folder)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String text = Files.readString(file);
                    assertThat(text).as(ROOT.relativize(file).toString())
                            .doesNotContain("PRIVATE KEY")
                            .doesNotContainPattern("(?m)^kind:\\s*Secret\\s*$");
                }
            }
        }
    }

    @Test
    void prodOverlayPinsTheImageTagOrDigest() {
        Map<String, Object> kustomization = yamlDocuments(K8S.resolve("overlays/prod/kustomization.yaml")).get(0);
        List<Object> images = list(kustomization.get("images"));
        assertThat(images).isNotEmpty();
        for (Object image : images) {
            Map<String, Object> entry = map(image);
            Object tag = entry.get("newTag");
            assertThat(tag != null || entry.get("digest") != null).as("image %s pins a tag or digest", entry).isTrue();
            assertThat(String.valueOf(tag)).isNotEqualToIgnoringCase("latest");
            assertThat(String.valueOf(entry.get("newName"))).doesNotContain(":latest");
        }
    }

    @Test
    void overlaysRenderWithKubectlIntoTheirNamespace() {
        for (String overlay : OVERLAYS) {
            List<Map<String, Object>> rendered = render(overlay);
            assertThat(rendered.stream().map(Manifests::kind)).as(overlay).contains("Deployment",
                    "Service", "ServiceAccount", "PodDisruptionBudget", "HorizontalPodAutoscaler", "NetworkPolicy",
                    "Certificate", "PrometheusRule", "ConfigMap");
            assertThat(rendered).as(overlay)
                    .allMatch(doc -> ("rcm-" + overlay).equals(at(doc, "metadata", "namespace")));
        }
    }

    @Test
    void renderedProdImageIsNeverLatest() {
        String image = (String) brokerContainer(render("prod")).get("image");
        assertThat(image).matches(".+(:[\\w][\\w.-]*|@sha256:[0-9a-f]{64})").doesNotEndWith(":latest");
    }

    @Test
    void renderedOverlaysKeepTheIrsaAnnotationAndProbes() {
        for (String overlay : OVERLAYS) {
            List<Map<String, Object>> rendered = render(overlay);
            assertThat((String) at(only(rendered, "ServiceAccount"), "metadata", "annotations",
                    "eks.amazonaws.com/role-arn")).as(overlay).contains(":role/rcm-" + overlay + "-");
            Map<String, Object> container = brokerContainer(rendered);
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                assertThat(containerPort(container, at(container, probe, "httpGet", "port"))).as(overlay + " " + probe)
                        .isEqualTo(9000);
            }
        }
    }

    /**
     * Per-tenant sessions: the broker assumes the tenant role of its overlay's account and
     * environment, the role that trusts its IRSA role (src/main/aws/tenant-role-trust-policy.json).
     */
    @Test
    void renderedOverlaysAssumeTheTenantRoleThatTrustsTheirIrsaRole() {
        for (String overlay : OVERLAYS) {
            List<Map<String, Object>> rendered = render(overlay);
            String irsaRole = (String) at(only(rendered, "ServiceAccount"), "metadata", "annotations",
                    "eks.amazonaws.com/role-arn");
            Map<String, Object> data = map(only(rendered, "ConfigMap").get("data"));
            assertThat(String.valueOf(data.get("RCM_AWS_TENANT_ROLE_ARN"))).as(overlay)
                    .isEqualTo(irsaRole + "-tenant")
                    .contains(":" + data.get("RCM_AWS_ACCOUNT_ID") + ":role/rcm-" + overlay + "-");
            assertThat(at(env(brokerContainer(rendered)).get("RCM_AWS_TENANT_ROLE_ARN"), "valueFrom", "configMapKeyRef",
                    "key")).as(overlay).isEqualTo("RCM_AWS_TENANT_ROLE_ARN");
        }
    }

    @Test
    void renderedCertificateNamesTheServiceInItsNamespace() {
        for (String overlay : OVERLAYS) {
            List<Map<String, Object>> rendered = render(overlay);
            String service = name(only(rendered, "Service"));
            assertThat(strings(at(only(rendered, "Certificate"), "spec", "dnsNames"))).as(overlay)
                    .contains(service + ".rcm-" + overlay + ".svc");
        }
    }

    @Test
    void renderedConfigMapNamesTheOverlaysEnvironment() {
        for (String overlay : OVERLAYS) {
            Map<String, Object> data = map(only(render(overlay), "ConfigMap").get("data"));
            assertThat(data.get("RCM_ENVIRONMENT")).as(overlay).isEqualTo(overlay);
            assertThat(String.valueOf(data.get("RCM_AWS_ACCOUNT_ID"))).as(overlay).matches("\\d{12}");
        }
    }

    @Test
    void renderedDeploymentReadsEveryConfigMapKeyAndOnlyThose() {
        for (String overlay : OVERLAYS) {
            List<Map<String, Object>> rendered = render(overlay);
            Map<String, Object> configMap = only(rendered, "ConfigMap");
            Map<String, String> read = new HashMap<>();
            env(brokerContainer(rendered)).forEach((variable, entry) -> {
                Object reference = at(entry, "valueFrom", "configMapKeyRef");
                if (reference != null) {
                    assertThat(at(reference, "name")).as(overlay + " " + variable).isEqualTo(name(configMap));
                    read.put(variable, (String) at(reference, "key"));
                }
            });
            read.forEach((variable, key) -> assertThat(key).as(overlay).isEqualTo(variable));
            assertThat(map(configMap.get("data")).keySet()).as(overlay)
                    .containsExactlyInAnyOrderElementsOf(read.keySet());
        }
    }

    @Test
    void renderedConfigMapNamesAKmsKeyOfTheOverlaysAccountAndRegion() {
        for (String overlay : OVERLAYS) {
            Map<String, Object> data = map(only(render(overlay), "ConfigMap").get("data"));
            String key = "arn:" + data.get("RCM_AWS_PARTITION") + ":kms:" + data.get("RCM_AWS_REGION") + ":"
                    + data.get("RCM_AWS_ACCOUNT_ID") + ":key/";
            for (String variable : KMS_KEY_VARIABLES) {
                assertThat(String.valueOf(data.get(variable))).as(overlay + " " + variable)
                        .startsWith(key)
                        .matches(".+:key/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}");
            }
        }
    }

    @Test
    void prometheusRuleHasTheThreeSeedAlerts() {
        Map<String, String> alerts = new LinkedHashMap<>();
        for (Object group : list(at(only(base(), "PrometheusRule"), "spec", "groups"))) {
            for (Object rule : list(map(group).get("rules"))) {
                if (map(rule).containsKey("alert")) {
                    alerts.put((String) map(rule).get("alert"), (String) map(rule).get("expr"));
                }
            }
        }
        assertThat(alerts.values()).anyMatch(expr -> expr.contains("rcm_credential_access_total")
                && expr.contains("outcome=\"failure\"") && expr.contains("[5m]") && expr.endsWith("> 5"));
        assertThat(alerts.values()).anyMatch(expr -> expr.contains("rcm_rotation_total")
                && expr.contains("outcome=\"failed\"") && expr.endsWith("> 0"));
        assertThat(alerts.values()).anyMatch(expr -> expr.contains("rcm_access_unexpected_ip_total")
                && expr.endsWith("> 0"));
    }
}
