#!/usr/bin/env python3
"""Checks sen-proxy's rendered Kubernetes manifests and its Grafana dashboard, without a cluster.

    validate.py manifests RENDERED.yaml [--external-secret NAME]... [--docs k8s/README.md]
    validate.py dashboard k8s/grafana/sen-proxy-dashboard.json
    validate.py alerts k8s/prometheus/sen-proxy-alerts.yaml

`manifests` reads what `kubectl kustomize` printed and checks that the objects hang together: every
reference (ConfigMap, Secret, key, volume, port, selector) points at something in the same output, the
proxy's probes hit its real health endpoints, its pods run locked down, and the ConfigMaps hold exactly
the repository's routes/, connectors/, transforms/ and application.properties. A Secret that the
operator creates outside kustomize (production) is allowed with --external-secret; every key read from
it must then be documented (as `KEY`) in the --docs file.

`dashboard` checks that the dashboard is valid JSON for Grafana, reads its data from a `datasource`
variable, and asks only for metrics that sen-proxy serves. `alerts` checks a Prometheus rule file of alerts: names,
severities, summaries, `for:` durations, and again only metrics that sen-proxy serves.

Each problem is printed as one line naming the object and the field; the exit status is 1 if there was
any, 0 otherwise (2 for a usage error). Needs Python 3.8+ and PyYAML (Debian: python3-yaml) for
`manifests` and `alerts`; `dashboard` uses the standard library only.
"""

import argparse
import json
import pathlib
import re
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent

# --- what sen-proxy is (keep in step with docs/ and src/) -----------------------------------------
APP_CONTAINER = "sen-proxy"
MANAGEMENT_PORT = 9876
LIVE_PATH = "/observe/health/live"
READY_PATH = "/observe/health/ready"
METRICS_PATH = "/observe/metrics"
RUN_AS_USER = 65532
# where the proxy reads its files (SENPROXY_HOME=/app) -> what of the repository must be there
HOME_DIRS = {
    "/app/routes": ("routes", "*.camel.yaml"),
    "/app/kamelets": ("kamelets", "*.yaml"),
    "/app/connectors": ("connectors", "*.camel.yaml"),
    "/app/transforms": ("transforms", "*.*"),
}
HOME_FILES = {"/app/application.properties": "application.properties"}
SECRET_ENV = ("SENPROXY_XMPP_PASSWORD", "SENPROXY_DB_PASSWORD")

# Metrics the proxy serves (docs/operations.md, "Metrics and health"); camel_, jvm_ and process_ come from
# Camel and Micrometer's binders and are accepted by prefix.
SENPROXY_METRICS = {
    "senproxy_source_polls_total",
    "senproxy_source_records_total",
    "senproxy_source_last_success_seconds",
    "senproxy_outbox_rows",
    "senproxy_inbox_rows",
    "senproxy_dead_letters",
    "senproxy_xmpp_connected",
    "senproxy_outbox_acks_pending",
    "senproxy_sink_records_total",
    "senproxy_switch_state",
    "senproxy_inbound_signatures_verified_total",
    "senproxy_replica_announced",
}
METRIC_PREFIXES = ("camel_", "jvm_", "process_")

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass",
                  "CustomResourceDefinition", "PriorityClass"}
DNS_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
PLACEHOLDER = "CHANGE-ME"


class Report:
    def __init__(self):
        self.errors = []
        self.notes = []

    def error(self, where, field, message):
        self.errors.append(f"ERROR {where}: {field}: {message}" if field else f"ERROR {where}: {message}")

    def note(self, where, field, message):
        self.notes.append(f"note  {where}: {field}: {message}")


def ident(obj):
    """Kind namespace/name, as messages show an object."""
    meta = obj.get("metadata") or {}
    ns = meta.get("namespace")
    name = meta.get("name", "<no name>")
    return f"{obj.get('kind', '<no kind>')} {ns + '/' if ns else ''}{name}"


def selector_matches(selector, labels):
    """A LabelSelector (matchLabels and matchExpressions) against a label map; an empty one matches all."""
    labels = labels or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


class Manifests:
    def __init__(self, objects, report, external_secrets, docs_text, repo=REPO):
        self.objects = objects
        self.repo = repo
        self.r = report
        self.external = set(external_secrets)
        self.docs = docs_text
        self.external_keys = {}  # secret name -> {key: where it is read}
        self.index = {}
        self.workloads = []  # (object, pod template)

    # -- helpers ---------------------------------------------------------------------------------------
    def ns(self, obj):
        return (obj.get("metadata") or {}).get("namespace") or ""

    def find(self, kind, ns, name):
        return self.index.get((kind, ns, name))

    def pods_selected(self, ns, selector):
        return [(w, t) for (w, t) in self.workloads
                if self.ns(w) == ns and selector_matches(selector, (t.get("metadata") or {}).get("labels"))]

    # -- entry point -----------------------------------------------------------------------------------
    def check(self):
        for i, obj in enumerate(self.objects):
            self.check_identity(i, obj)
        for obj in self.objects:
            if obj.get("kind") in WORKLOAD_KINDS:
                template = (obj.get("spec") or {}).get("template") or {}
                self.workloads.append((obj, template))
        for obj in self.objects:
            kind = obj.get("kind")
            if kind in WORKLOAD_KINDS:
                self.check_workload(obj)
            elif kind == "Service":
                self.check_service(obj)
            elif kind == "PodDisruptionBudget":
                self.check_pdb(obj)
            elif kind == "NetworkPolicy":
                self.check_network_policy(obj)
            elif kind in ("ConfigMap", "Secret"):
                self.check_placeholders(obj)
        self.check_app_present()
        self.check_external_docs()

    def check_identity(self, i, obj):
        where = ident(obj) if isinstance(obj, dict) else f"document {i + 1}"
        if not isinstance(obj, dict):
            self.r.error(where, "", "is not a mapping")
            return
        for field in ("apiVersion", "kind"):
            if not isinstance(obj.get(field), str) or not obj.get(field):
                self.r.error(f"document {i + 1} ({where})", field, "missing")
        name = (obj.get("metadata") or {}).get("name")
        if not isinstance(name, str) or not name:
            self.r.error(f"document {i + 1} ({where})", "metadata.name", "missing")
            return
        if len(name) > 253 or not DNS_NAME.match(name):
            self.r.error(where, "metadata.name", f"'{name}' is not a valid DNS name")
        key = (obj.get("kind"), "" if obj.get("kind") in CLUSTER_SCOPED else self.ns(obj), name)
        if key in self.index:
            self.r.error(where, "", "defined twice")
        self.index[key] = obj

    # -- workloads -------------------------------------------------------------------------------------
    def check_workload(self, obj):
        where = ident(obj)
        spec = obj.get("spec") or {}
        template = spec.get("template") or {}
        labels = (template.get("metadata") or {}).get("labels") or {}
        if obj["kind"] != "DaemonSet":
            replicas = spec.get("replicas")
            if not isinstance(replicas, int) or replicas < 1:
                self.r.error(where, "spec.replicas", f"must be a whole number >= 1, not {replicas!r}")
        selector = spec.get("selector") or {}
        if not selector.get("matchLabels") and not selector.get("matchExpressions"):
            self.r.error(where, "spec.selector", "missing or empty")
        elif not selector_matches(selector, labels):
            self.r.error(where, "spec.selector",
                         f"{selector.get('matchLabels')} does not match the pod template's labels {labels}")
        pod = template.get("spec") or {}
        self.check_pod(where, obj, template, pod)

    def check_pod(self, where, obj, template, pod):
        ns = self.ns(obj)
        containers = pod.get("containers") or []
        if not containers:
            self.r.error(where, "spec.template.spec.containers", "no container")
        volumes = {}
        for v in pod.get("volumes") or []:
            if v.get("name") in volumes:
                self.r.error(where, f"volumes[{v.get('name')}]", "defined twice")
            volumes[v.get("name")] = v
            self.check_volume_refs(where, ns, v)
        claim_templates = {(c.get("metadata") or {}).get("name")
                           for c in (obj.get("spec") or {}).get("volumeClaimTemplates") or []}
        sa = pod.get("serviceAccountName")
        if sa and sa != "default" and not self.find("ServiceAccount", ns, sa):
            self.r.error(where, "spec.template.spec.serviceAccountName",
                         f"ServiceAccount '{sa}' is not in the rendered output")
        for c in (pod.get("initContainers") or []) + containers:
            self.check_container(where, ns, pod, c, volumes, claim_templates,
                                 init=not any(c is x for x in containers))
            if c.get("name") == APP_CONTAINER:
                self.check_app(where, obj, template, pod, c, volumes)

    def check_container(self, where, ns, pod, c, volumes, claim_templates, init):
        cw = f"containers[{c.get('name', '?')}]"
        if not c.get("name"):
            self.r.error(where, cw, "has no name")
        image = c.get("image")
        if not image:
            self.r.error(where, f"{cw}.image", "missing")
        else:
            last = image.rsplit("/", 1)[-1]
            if "@" not in last and (":" not in last or last.endswith(":latest")):
                self.r.error(where, f"{cw}.image", f"'{image}' has no fixed tag (or digest)")
            if PLACEHOLDER in image:
                self.r.note(where, f"{cw}.image", f"'{image}' is a placeholder: set the real image")
        resources = c.get("resources") or {}
        for part, key in (("requests", "cpu"), ("requests", "memory"), ("limits", "memory")):
            if not (resources.get(part) or {}).get(key):
                self.r.error(where, f"{cw}.resources.{part}.{key}", "missing")
        ports = c.get("ports") or []
        names = {p.get("name") for p in ports if p.get("name")}
        numbers = {p.get("containerPort") for p in ports}
        if not init:
            for probe in ("livenessProbe", "readinessProbe"):
                if not c.get(probe):
                    self.r.error(where, f"{cw}.{probe}", "missing")
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            spec = c.get(probe) or {}
            for handler in ("httpGet", "tcpSocket", "grpc"):
                if handler in spec:
                    port = (spec[handler] or {}).get("port")
                    if not (port in names if isinstance(port, str) else port in numbers):
                        self.r.error(where, f"{cw}.{probe}.{handler}.port",
                                     f"{port!r} is not a port of the container (names {sorted(names)}, "
                                     f"numbers {sorted(n for n in numbers if n)})")
        for m in c.get("volumeMounts") or []:
            if m.get("name") not in volumes and m.get("name") not in claim_templates:
                self.r.error(where, f"{cw}.volumeMounts[{m.get('mountPath')}]",
                             f"volume '{m.get('name')}' is not defined in the pod")
        for e in c.get("env") or []:
            self.check_env_ref(where, ns, cw, e)
        for e in c.get("envFrom") or []:
            if "configMapRef" in e:
                name = e["configMapRef"].get("name")
                if not self.find("ConfigMap", ns, name):
                    self.r.error(where, f"{cw}.envFrom.configMapRef", f"ConfigMap '{name}' is not in the output")
            if "secretRef" in e:
                self.secret(where, ns, f"{cw}.envFrom.secretRef", e["secretRef"].get("name"), None)

    def check_env_ref(self, where, ns, cw, e):
        field = f"{cw}.env[{e.get('name')}]"
        source = e.get("valueFrom") or {}
        if "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            cm = self.find("ConfigMap", ns, ref.get("name"))
            if not cm:
                self.r.error(where, f"{field}.valueFrom.configMapKeyRef",
                             f"ConfigMap '{ref.get('name')}' is not in the output")
            elif ref.get("key") not in (cm.get("data") or {}) and ref.get("key") not in (cm.get("binaryData") or {}):
                self.r.error(where, f"{field}.valueFrom.configMapKeyRef",
                             f"key '{ref.get('key')}' is not in ConfigMap '{ref.get('name')}' "
                             f"(it has {sorted((cm.get('data') or {}).keys())})")
        if "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            self.secret(where, ns, f"{field}.valueFrom.secretKeyRef", ref.get("name"), [ref.get("key")])
        if "value" in e and re.search(r"PASSWORD|SECRET|TOKEN|AUTHORIZATION", str(e.get("name")), re.I):
            self.r.error(where, field, "a secret given as a literal value: read it from a Secret (secretKeyRef)")

    def check_volume_refs(self, where, ns, v):
        vw = f"volumes[{v.get('name')}]"
        sources = [v] + [dict(s) for s in ((v.get("projected") or {}).get("sources") or [])]
        for s in sources:
            if "configMap" in s:
                ref = s["configMap"] or {}
                cm = self.find("ConfigMap", ns, ref.get("name"))
                if not cm:
                    self.r.error(where, f"{vw}.configMap", f"ConfigMap '{ref.get('name')}' is not in the output")
                else:
                    for item in ref.get("items") or []:
                        if item.get("key") not in (cm.get("data") or {}):
                            self.r.error(where, f"{vw}.configMap.items",
                                         f"key '{item.get('key')}' is not in ConfigMap '{ref.get('name')}'")
            secret = s.get("secret")
            if secret is not None:
                name = secret.get("secretName") or secret.get("name")
                keys = [item.get("key") for item in secret.get("items") or []]
                self.secret(where, ns, f"{vw}.secret", name, keys or None)

    def secret(self, where, ns, field, name, keys):
        """A reference to Secret `name` (and `keys` in it): in the output, or an allowed external one."""
        obj = self.find("Secret", ns, name)
        if obj:
            present = set((obj.get("data") or {}).keys()) | set((obj.get("stringData") or {}).keys())
            for key in keys or []:
                if key not in present:
                    self.r.error(where, field, f"key '{key}' is not in Secret '{name}' (it has {sorted(present)})")
        elif name in self.external:
            for key in keys or []:
                self.external_keys.setdefault(name, {})[key] = f"{where}: {field}"
        else:
            self.r.error(where, field, f"Secret '{name}' is not in the rendered output"
                         + (f" (allowed external Secrets: {sorted(self.external)})" if self.external else ""))

    # -- the proxy itself -------------------------------------------------------------------------------
    def check_app(self, where, obj, template, pod, c, volumes):
        cw = f"containers[{APP_CONTAINER}]"
        env = {e.get("name"): e for e in c.get("env") or []}
        port = MANAGEMENT_PORT
        if "CAMEL_MANAGEMENT_PORT" in env and "value" in env["CAMEL_MANAGEMENT_PORT"]:
            port = int(env["CAMEL_MANAGEMENT_PORT"]["value"])
        by_name = {p.get("name"): p.get("containerPort") for p in c.get("ports") or []}
        if port not in by_name.values():
            self.r.error(where, f"{cw}.ports", f"no containerPort {port} (the management server's port)")
        for probe, path in (("livenessProbe", LIVE_PATH), ("readinessProbe", READY_PATH),
                            ("startupProbe", LIVE_PATH)):
            spec = c.get(probe)
            if not spec:
                if probe == "startupProbe":
                    self.r.error(where, f"{cw}.{probe}", "missing (start-up includes migrations and waiting for PostgreSQL)")
                continue
            http = spec.get("httpGet")
            if not http:
                self.r.error(where, f"{cw}.{probe}", f"must be an httpGet on {path}")
                continue
            if http.get("path") != path:
                self.r.error(where, f"{cw}.{probe}.httpGet.path", f"is {http.get('path')!r}, expected '{path}'")
            target = http.get("port")
            target = by_name.get(target) if isinstance(target, str) else target
            if target is not None and target != port:
                self.r.error(where, f"{cw}.{probe}.httpGet.port", f"reaches port {target}, not the management port {port}")
        # locked down
        psc = pod.get("securityContext") or {}
        csc = c.get("securityContext") or {}
        eff = dict(psc, **csc)
        if eff.get("runAsNonRoot") is not True:
            self.r.error(where, f"{cw}.securityContext.runAsNonRoot", "must be true")
        if eff.get("runAsUser") != RUN_AS_USER:
            self.r.error(where, f"{cw}.securityContext.runAsUser", f"is {eff.get('runAsUser')!r}, the image's user is {RUN_AS_USER}")
        if csc.get("readOnlyRootFilesystem") is not True:
            self.r.error(where, f"{cw}.securityContext.readOnlyRootFilesystem", "must be true")
        if csc.get("allowPrivilegeEscalation") is not False:
            self.r.error(where, f"{cw}.securityContext.allowPrivilegeEscalation", "must be false")
        if "ALL" not in ((csc.get("capabilities") or {}).get("drop") or []):
            self.r.error(where, f"{cw}.securityContext.capabilities.drop", "must hold ALL")
        mounts = {m.get("mountPath"): m for m in c.get("volumeMounts") or []}
        tmp = mounts.get("/tmp")
        if not tmp or "emptyDir" not in (volumes.get(tmp.get("name")) or {}):
            self.r.error(where, f"{cw}.volumeMounts[/tmp]", "needs an emptyDir (the root file system is read-only)")
        if pod.get("automountServiceAccountToken") is not False:
            sa = self.find("ServiceAccount", self.ns(obj), pod.get("serviceAccountName") or "default")
            if not sa or sa.get("automountServiceAccountToken") is not False:
                self.r.error(where, "spec.template.spec.automountServiceAccountToken",
                             "the proxy needs no Kubernetes API token: set it false")
        # settings that must come from the pod or a Secret
        resource = ((env.get("SENPROXY_XMPP_RESOURCE") or {}).get("valueFrom") or {}).get("fieldRef") or {}
        if resource.get("fieldPath") != "metadata.name":
            self.r.error(where, f"{cw}.env[SENPROXY_XMPP_RESOURCE]",
                         "must be the pod's name (valueFrom.fieldRef.fieldPath: metadata.name): each replica needs its own")
        for name in SECRET_ENV:
            if "secretKeyRef" not in ((env.get(name) or {}).get("valueFrom") or {}):
                self.r.error(where, f"{cw}.env[{name}]", "must come from a Secret (valueFrom.secretKeyRef)")
        # Prometheus annotations
        ann = (template.get("metadata") or {}).get("annotations") or {}
        if ann.get("prometheus.io/scrape") != "true":
            self.r.error(where, "spec.template.metadata.annotations[prometheus.io/scrape]", "must be \"true\"")
        if str(ann.get("prometheus.io/port")) != str(port):
            self.r.error(where, "spec.template.metadata.annotations[prometheus.io/port]",
                         f"is {ann.get('prometheus.io/port')!r}, the management port is {port}")
        if ann.get("prometheus.io/path") != METRICS_PATH:
            self.r.error(where, "spec.template.metadata.annotations[prometheus.io/path]",
                         f"is {ann.get('prometheus.io/path')!r}, expected '{METRICS_PATH}'")
        self.check_home(where, obj, c, volumes, mounts)

    def check_home(self, where, obj, c, volumes, mounts):
        """The ConfigMaps mounted in the proxy's home hold exactly the repository's files."""
        cw = f"containers[{APP_CONTAINER}]"
        ns = self.ns(obj)

        def configmap_of(mount_path):
            m = mounts.get(mount_path)
            if not m:
                self.r.error(where, f"{cw}.volumeMounts", f"nothing mounted at {mount_path}")
                return None, None
            ref = (volumes.get(m.get("name")) or {}).get("configMap")
            if not ref:
                self.r.error(where, f"{cw}.volumeMounts[{mount_path}]", "is not a ConfigMap volume")
                return None, None
            cm = self.find("ConfigMap", ns, ref.get("name"))
            return m, cm  # a missing ConfigMap is reported by check_volume_refs

        for mount_path, (folder, pattern) in HOME_DIRS.items():
            m, cm = configmap_of(mount_path)
            if not cm:
                continue
            data = cm.get("data") or {}
            files = sorted((self.repo / folder).glob(pattern))
            if not files:
                self.r.error(where, f"{cw}.volumeMounts[{mount_path}]", f"no {pattern} in {self.repo / folder}: wrong --repo?")
            for f in files:
                if f.name not in data:
                    self.r.error(ident(cm), "data", f"lacks {folder}/{f.name}: list it in k8s/base/kustomization.yaml")
                elif data[f.name] != f.read_text(encoding="utf-8"):
                    self.r.error(ident(cm), f"data[{f.name}]", f"differs from {folder}/{f.name}")
            for key in sorted(set(data) - {f.name for f in files}):
                self.r.error(ident(cm), f"data[{key}]", f"is not a file of {folder}/ (any more?)")
        for mount_path, rel in HOME_FILES.items():
            m, cm = configmap_of(mount_path)
            if not cm:
                continue
            key = m.get("subPath")
            text = (cm.get("data") or {}).get(key)
            if text is None:
                self.r.error(ident(cm), "data", f"lacks '{key}' (mounted at {mount_path})")
            elif text != (self.repo / rel).read_text(encoding="utf-8"):
                self.r.error(ident(cm), f"data[{key}]", f"differs from {rel}")

    def check_app_present(self):
        if not any(c.get("name") == APP_CONTAINER
                   for (_, t) in self.workloads for c in (t.get("spec") or {}).get("containers") or []):
            self.r.error("output", "", f"no Deployment runs a container named '{APP_CONTAINER}'")

    # -- services, budgets, policies ---------------------------------------------------------------------
    def check_service(self, obj):
        where = ident(obj)
        spec = obj.get("spec") or {}
        selector = spec.get("selector")
        if spec.get("type") == "ExternalName" or selector is None:
            return
        pods = self.pods_selected(self.ns(obj), {"matchLabels": selector})
        if not selector or not pods:
            self.r.error(where, "spec.selector", f"{selector} selects no pod of the output")
            return
        for p in spec.get("ports") or []:
            target = p.get("targetPort", p.get("port"))
            found = False
            for _, t in pods:
                for c in (t.get("spec") or {}).get("containers") or []:
                    for cp in c.get("ports") or []:
                        if target == cp.get("name") or target == cp.get("containerPort"):
                            found = True
            if not found:
                self.r.error(where, f"spec.ports[{p.get('name', p.get('port'))}].targetPort",
                             f"{target!r} is not a container port of the selected pods")

    def check_pdb(self, obj):
        where = ident(obj)
        spec = obj.get("spec") or {}
        selector = spec.get("selector") or {}
        pods = self.pods_selected(self.ns(obj), selector) if selector else []
        if not pods:
            self.r.error(where, "spec.selector", f"{selector} selects no pod of the output")
            return
        replicas = sum((w.get("spec") or {}).get("replicas", 1) for (w, _) in pods)
        min_available = spec.get("minAvailable")
        if isinstance(min_available, int) and min_available >= replicas:
            self.r.error(where, "spec.minAvailable",
                         f"{min_available} of {replicas} replica(s): no pod could ever be evicted (drains would hang)")

    def check_network_policy(self, obj):
        where = ident(obj)
        spec = obj.get("spec") or {}
        selector = spec.get("podSelector")
        if selector is None:
            self.r.error(where, "spec.podSelector", "missing")
            return
        if not selector:  # {} selects every pod of the namespace
            return
        pods = self.pods_selected(self.ns(obj), selector)
        if not pods:
            self.r.error(where, "spec.podSelector", f"{selector} selects no pod of the output")
            return
        ports = set()
        for _, t in pods:
            for c in (t.get("spec") or {}).get("containers") or []:
                for cp in c.get("ports") or []:
                    ports.update({cp.get("name"), cp.get("containerPort")})
        for i, rule in enumerate(spec.get("ingress") or []):
            for p in rule.get("ports") or []:
                if p.get("port") is not None and p.get("port") not in ports:
                    self.r.error(where, f"spec.ingress[{i}].ports",
                                 f"{p.get('port')!r} is not a container port of the selected pods")

    def check_placeholders(self, obj):
        for key, value in sorted((obj.get("data") or {}).items()):
            if isinstance(value, str) and PLACEHOLDER in value and "\n" not in value:
                self.r.note(ident(obj), f"data[{key}]", f"'{value}' is a placeholder: edit it before applying")

    def check_external_docs(self):
        for name, keys in sorted(self.external_keys.items()):
            if self.docs is None:
                self.r.error(f"Secret {name}", "", "is external: give --docs FILE, where its keys are documented")
                continue
            if f"`{name}`" not in self.docs:
                self.r.error(f"Secret {name}", "", "is external but the docs do not name it (as `NAME`)")
            for key, where in sorted(keys.items()):
                if f"`{key}`" not in self.docs:
                    self.r.error(f"Secret {name}", f"key {key}",
                                 f"read by {where}, but not documented (as `{key}`) in the docs")


def load_manifests(paths, report):
    try:
        import yaml
    except ImportError:
        sys.exit("validate.py: PyYAML is missing (Debian: apt-get install python3-yaml; .ci/k8s-check.sh does it)")
    objects = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                docs = list(yaml.safe_load_all(f))
        except (OSError, yaml.YAMLError) as e:
            report.error(path, "", f"cannot read: {e}")
            continue
        for doc in docs:
            if doc is None:
                continue
            if isinstance(doc, dict) and doc.get("kind") == "List":
                objects.extend(doc.get("items") or [])
            else:
                objects.append(doc)
    return objects


# --- dashboard -------------------------------------------------------------------------------------------
PROMQL_WORDS = {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
                "group_left", "group_right", "inf", "nan", "Inf", "NaN"}
GRAFANA_BUILTINS = {"__rate_interval", "__interval", "__range", "__range_s", "__interval_ms", "__name",
                    "__dashboard", "__from", "__to"}


def metric_names(expr):
    """The metric names a PromQL expression reads (functions, keywords, labels and numbers left out)."""
    s = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)
    s = re.sub(r"\{[^}]*\}", " ", s)
    s = re.sub(r"\[[^\]]*\]", " ", s)
    s = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", s)
    s = re.sub(r"\$\{[^}]*\}|\$\w+", " ", s)
    names = []
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", s):
        before = s[m.start() - 1] if m.start() else " "
        if before.isdigit() or before == ".":
            continue  # 1e3, 5m
        if s[m.end():].lstrip().startswith("("):
            continue  # a function
        if m.group(0) in PROMQL_WORDS:
            continue
        names.append(m.group(0))
    return names


def all_panels(panels):
    for p in panels or []:
        yield p
        yield from all_panels(p.get("panels"))


def check_dashboard(path, report):
    where = f"dashboard {path}"
    try:
        with open(path, encoding="utf-8") as f:
            dash = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        report.error(where, "", f"is not valid JSON: {e}")
        return
    if not isinstance(dash, dict):
        report.error(where, "", "is not a JSON object")
        return
    for field in ("title", "uid"):
        if not isinstance(dash.get(field), str) or not dash.get(field):
            report.error(where, field, "missing")
    if not isinstance(dash.get("schemaVersion"), int) or dash["schemaVersion"] < 36:
        report.error(where, "schemaVersion", f"{dash.get('schemaVersion')!r}: expected a number >= 36")
    variables = {v.get("name"): v for v in (dash.get("templating") or {}).get("list") or []}
    ds_vars = [n for n, v in variables.items() if v.get("type") == "datasource" and v.get("query") == "prometheus"]
    if not ds_vars:
        report.error(where, "templating.list", "no variable of type datasource for prometheus")
    ds_refs = {f"${{{n}}}" for n in ds_vars} | {f"${n}" for n in ds_vars}
    for name, v in variables.items():
        if v.get("type") == "query":
            ds = (v.get("datasource") or {}).get("uid") if isinstance(v.get("datasource"), dict) else v.get("datasource")
            if ds not in ds_refs:
                report.error(where, f"templating.list[{name}].datasource", f"{ds!r} is not the datasource variable")
            query = v.get("query")
            query = query.get("query", "") if isinstance(query, dict) else str(query or "")
            for metric in re.findall(r"label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)", query):
                if metric not in SENPROXY_METRICS and not metric.startswith(METRIC_PREFIXES):
                    report.error(where, f"templating.list[{name}].query", f"metric '{metric}' is not one sen-proxy serves")
    ids = set()
    used = set()
    targets = 0
    for p in all_panels(dash.get("panels")):
        pw = f"panel {p.get('id')} '{p.get('title', '')}'"
        if p.get("id") in ids:
            report.error(where, pw, "id used twice")
        ids.add(p.get("id"))
        for field in ("type", "title", "gridPos"):
            if not p.get(field):
                report.error(where, pw, f"{field} missing")
        if p.get("type") == "row":
            continue
        ds = (p.get("datasource") or {}).get("uid") if isinstance(p.get("datasource"), dict) else p.get("datasource")
        if ds not in ds_refs:
            report.error(where, f"{pw}.datasource", f"{ds!r} is not the datasource variable ({sorted(ds_refs)})")
        if not p.get("targets"):
            report.error(where, pw, "has no query")
        for t in p.get("targets") or []:
            expr = t.get("expr")
            if not expr:
                report.error(where, f"{pw}.targets[{t.get('refId')}]", "no expr")
                continue
            targets += 1
            for var in re.findall(r"\$\{(\w+)[^}]*\}|\$(\w+)", expr):
                var = var[0] or var[1]
                if var not in variables and var not in GRAFANA_BUILTINS:
                    report.error(where, f"{pw}.targets[{t.get('refId')}]", f"uses ${var}, which is not a variable")
            for name in metric_names(expr):
                if name in SENPROXY_METRICS or name.startswith(METRIC_PREFIXES):
                    used.add(name)
                else:
                    report.error(where, f"{pw}.targets[{t.get('refId')}]",
                                 f"metric '{name}' is not one sen-proxy serves")
    for name in sorted(SENPROXY_METRICS - used):
        report.error(where, "panels", f"no panel shows {name}")
    return targets


ALERT_NAME = re.compile(r"^[A-Z][A-Za-z0-9]+$")
DURATION = re.compile(r"^\d+[smhdw]$")
SEVERITIES = ("critical", "warning", "info")


def check_alerts(path, report):
    """A Prometheus rule file of alerts: its shape, and only metrics sen-proxy serves (as the dashboard)."""
    import yaml  # the manifests' checks import it too (load_manifests); a usage error when missing

    where = f"alerts {path}"
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        report.error(where, "", f"is not valid YAML: {e}")
        return 0
    groups = doc.get("groups") if isinstance(doc, dict) else None
    if not isinstance(groups, list) or not groups:
        report.error(where, "groups", "missing or empty")
        return 0
    names = set()
    count = 0
    for g in groups:
        gw = f"group '{g.get('name', '')}'"
        if not g.get("name"):
            report.error(where, gw, "name missing")
        for r in g.get("rules") or []:
            count += 1
            name = r.get("alert")
            rw = f"{gw} alert '{name}'"
            if not isinstance(name, str) or not ALERT_NAME.match(name):
                report.error(where, rw, "alert name missing or not CamelCase")
            elif name in names:
                report.error(where, rw, "alert name used twice")
            names.add(name)
            expr = r.get("expr")
            if not isinstance(expr, str) or not expr.strip():
                report.error(where, rw, "no expr")
            else:
                for metric in metric_names(expr):
                    if metric not in SENPROXY_METRICS and not metric.startswith(METRIC_PREFIXES):
                        report.error(where, f"{rw}.expr", f"metric '{metric}' is not one sen-proxy serves")
            if not DURATION.match(str(r.get("for", ""))):
                report.error(where, f"{rw}.for", f"{r.get('for')!r}: expected a duration such as 15m")
            severity = (r.get("labels") or {}).get("severity")
            if severity not in SEVERITIES:
                report.error(where, f"{rw}.labels.severity", f"{severity!r}: expected one of {', '.join(SEVERITIES)}")
            annotations = r.get("annotations") or {}
            for field in ("summary", "description"):
                if not annotations.get(field):
                    report.error(where, f"{rw}.annotations", f"{field} missing: say what to look at")
    if not count:
        report.error(where, "groups", "no alert")
    return count


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("manifests", help="check rendered manifests")
    m.add_argument("files", nargs="+")
    m.add_argument("--external-secret", action="append", default=[], metavar="NAME",
                   help="a Secret the operator creates outside kustomize (may be repeated)")
    m.add_argument("--docs", help="file that must document the external Secrets and their keys")
    m.add_argument("--repo", default=str(REPO), help="repository whose routes/ etc. the ConfigMaps must hold")
    d = sub.add_parser("dashboard", help="check a Grafana dashboard")
    d.add_argument("files", nargs="+")
    a = sub.add_parser("alerts", help="check a Prometheus rule file of alerts")
    a.add_argument("files", nargs="+")
    args = parser.parse_args(argv)

    report = Report()
    if args.command == "manifests":
        docs = pathlib.Path(args.docs).read_text(encoding="utf-8") if args.docs else None
        objects = load_manifests(args.files, report)
        Manifests(objects, report, args.external_secret, docs, pathlib.Path(args.repo).resolve()).check()
        summary = f"{len(objects)} objects"
    elif args.command == "alerts":
        count = sum(check_alerts(f, report) or 0 for f in args.files)
        summary = f"{count} alerts"
    else:
        count = sum(check_dashboard(f, report) or 0 for f in args.files)
        summary = f"{count} queries"
    for line in report.notes + report.errors:
        print(line)
    print(f"validate {args.command} {' '.join(args.files)}: {summary}, {len(report.errors)} error(s)")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
