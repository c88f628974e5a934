# syntax=docker/dockerfile:1
# Build a static binary (pure-Go SQLite, no cgo) and ship it on distroless.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/cornershop ./cmd/cornershop

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/cornershop /usr/local/bin/cornershop
# SQLite lives here by default; mount a volume to keep it.
WORKDIR /data
ENV CORNERSHOP_HTTP_LISTEN=:8080 \
    CORNERSHOP_DATABASE_DSN=/data/cornershop.db
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s CMD ["/usr/local/bin/cornershop", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/cornershop"]
CMD ["serve"]
