# The operator image: built by Maven in the first stage, run on a small JRE as a non-root user.
#   docker build -t idmelon-apikey-operator:0.1.0 .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline -DexcludeScope=test || true
COPY src src
COPY crds crds
RUN mvn -B -q -Dmaven.test.skip=true package

FROM eclipse-temurin:17-jre-jammy
WORKDIR /app
COPY --from=build /src/target/apikey-operator.jar /app/apikey-operator.jar
# any non-root uid works (the chart runs it as 65532 with a read-only root and /tmp from an emptyDir)
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/apikey-operator.jar"]
CMD ["run"]
