# syntax=docker/dockerfile:1
# A static binary (pure-Go SQLite, no cgo) in an image FROM scratch: the
# binary, CA certificates and a /data directory owned by the non-root user
# 65532. .ci/image builds the same image with buildah and tests it.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t cornershop .
FROM golang:1.26 AS build
ARG VERSION=dev
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -tags timetzdata \
      -ldflags="-s -w -X main.buildVersion=${VERSION}" -o /out/cornershop ./cmd/cornershop \
 && mkdir -p /out/data && chown 65532:65532 /out/data && chmod 0700 /out/data

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/cornershop /usr/local/bin/cornershop
# SQLite lives here; a new named volume takes this directory's owner, so it
# is writable by the service without any chown.
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
WORKDIR /data
VOLUME /data
# No configuration file is needed: every key can come from CORNERSHOP_*
# variables (mount a file and pass --config to use one).
ENV CORNERSHOP_HTTP_LISTEN=:8080 \
    CORNERSHOP_DATABASE_DSN=/data/cornershop.db
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s CMD ["/usr/local/bin/cornershop", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/cornershop"]
CMD ["serve"]
