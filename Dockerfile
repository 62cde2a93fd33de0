# The operator image: the production jar on a distroless Java 17 runtime (no shell, no package manager), non-root.
#   docker build -t idmelon-apikey-operator:0.1.0 .
# It holds target/apikey-operator.jar (the operator only: the simulator, the quick start and the embedded API server
# are in the tools jar, which is not copied) and the jar's SBOM, target/bom.json, as /app/bom.json.
# DockerfileIT checks this file on every `mvn verify` (the project's machines have no Docker engine to build it).
#
# Base images are pinned by digest: Docker pulls the digest, the tag only says what it was taken from. Let Renovate or
# Dependabot (docker) keep both digests current. Both are multi-platform indexes (linux/amd64, linux/arm64), read
# from public repositories that pin them, since no container registry is reachable from where this was written:
# - maven:3.9.16-eclipse-temurin-17: the Dockerfile of github.com/CodeRushOJ/croj-backend pins this digest (as
#   maven:3.9-eclipse-temurin-17), and other public projects record it for maven:3.9.16-eclipse-temurin-17(-noble).
# - gcr.io/distroless/java17-debian13:nonroot: the same croj-backend Dockerfile pins it (its nonroot index), and so
#   do other public Dockerfiles.
# Check a digest with: docker buildx imagetools inspect <image>@<digest>

FROM maven:3.9.16-eclipse-temurin-17@sha256:1ed5d1f54416b706707b4f3238f63a20bb06aab27c6d240090a2bb9ad895ed45 AS build
WORKDIR /src
COPY pom.xml .
# Dependencies and plugins in a layer of their own, reused while pom.xml is unchanged. A failed download fails here.
RUN mvn -B -q dependency:go-offline
COPY src/main src/main
# Also writes target/bom.json: the CycloneDX plugin runs only online, as this step is.
RUN mvn -B -q -Dmaven.test.skip=true package

FROM gcr.io/distroless/java17-debian13:nonroot@sha256:81d09cac6ec47f6a13c61a941557f95079213320f3ddbf9d353de9317669aab5
WORKDIR /app
COPY --from=build /src/target/apikey-operator.jar /app/apikey-operator.jar
COPY --from=build /src/target/bom.json /app/bom.json
# distroless's nonroot user; the chart runs it so with a read-only root and /tmp from an emptyDir
USER 65532:65532
# 8080: metrics; 8081: health probes
EXPOSE 8080 8081
ENTRYPOINT ["/usr/bin/java", "-jar", "/app/apikey-operator.jar"]
CMD ["run"]
