// Command cornershop relays customer chats from Telegram, Slack and Discord
// into a staff desk and answers in each staff member's own voice.
//
// Usage:
//
//	cornershop serve        [--config FILE]   run the service
//	cornershop playground   [--listen ADDR] [--data DIR]  play customers and staff in a browser
//	cornershop demo         [--keep-running]  play a scene against built-in emulators
//	cornershop migrate      [--config FILE]   bring the database schema up to date
//	cornershop check-config [--config FILE]   validate a configuration
//	cornershop emulate      telegram|slack|discord [--listen ADDR] [--chat]
//	cornershop healthcheck                     probe a local serve (container HEALTHCHECK)
//	cornershop bench        [--db DSN] [--scenario LIST]   end-to-end benchmarks (BENCHMARKS.md)
//	cornershop version
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	// Desks name IANA time zones; the distroless image has no zoneinfo.
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], processEnv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cornershop:", err)
		os.Exit(1)
	}
}

// processEnv is the process's environment as run reads it: os.Getenv, and
// the names of every variable set for environKey.
func processEnv(key string) string {
	if key != environKey {
		return os.Getenv(key)
	}
	names := make([]string, 0, 64)
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		names = append(names, name)
	}
	return strings.Join(names, "\n")
}
