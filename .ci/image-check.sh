#!/usr/bin/env bash
# Builds the container image with Jib (mvn -Pimage) and checks what is in it. No registry is reachable here, so the
# base image cannot be pulled: the build uses the empty base "scratch" instead of eclipse-temurin:17-jre. What is
# checked is ours: the entrypoint, user, working directory, environment and ports, and the layers holding the
# proxy's classes, its dependencies and its default route, connector and transform files. That the image runs on
# its real base is not checked here.
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B -ntp -q -Pimage -DskipTests -Dimage.base=scratch package
python3 - target/jib-image.tar <<'PY'
import json, sys, tarfile, io, os, glob

failures = []
def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)

with tarfile.open(sys.argv[1]) as image:
    manifest = json.load(image.extractfile("manifest.json"))[0]
    config = json.load(image.extractfile(manifest["Config"]))["config"]
    files = set()
    for layer in manifest["Layers"]:
        with tarfile.open(fileobj=io.BytesIO(image.extractfile(layer).read())) as content:
            files.update(name.lstrip("./") for name in content.getnames())

check(config.get("Entrypoint", [])[:2] == ["java", "-XX:MaxRAMPercentage=75"]
      and config["Entrypoint"][-1] == "org.senproxy.SenProxy", "entrypoint " + str(config.get("Entrypoint")))
check(config.get("User") == "65532:65532", "runs as non-root user 65532 (" + str(config.get("User")) + ")")
check(config.get("WorkingDir") == "/app", "working directory /app")
check("SENPROXY_HOME=/app" in config.get("Env", []), "SENPROXY_HOME=/app")
check({"8080/tcp", "9876/tcp"} <= set(config.get("ExposedPorts", {})), "ports 8080 and 9876 exposed")
check("app/classes/org/senproxy/SenProxy.class" in files, "the proxy's classes")
check(any(f.startswith("app/libs/camel-main-") for f in files), "its dependencies (camel-main...)")
check("app/application.properties" in files, "application.properties")
for kind, pattern in (("routes", "routes/*.camel.yaml"), ("kamelets", "kamelets/*.yaml"),
                      ("connectors", "connectors/*.camel.yaml"), ("transforms", "transforms/*")):
    expected = {"app/" + path for path in glob.glob(pattern)}
    check(expected and expected <= files, f"every file of {kind}/ ({len(expected)})")
sys.exit(1 if failures else 0)
PY
