// Command cornershop relays customer chats from Telegram, Slack and Discord
// into a staff desk and answers in each staff member's own voice.
//
// Usage:
//
//	cornershop serve        [--config FILE]   run the service
//	cornershop demo         [--keep-running]  play a scene against built-in emulators
//	cornershop migrate      [--config FILE]   bring the database schema up to date
//	cornershop check-config [--config FILE]   validate a configuration
//	cornershop emulate      telegram|slack|discord [--listen ADDR]
//	cornershop bench        [--db DSN] [--scenario LIST]   end-to-end benchmarks (BENCHMARKS.md)
//	cornershop version
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	// Desks name IANA time zones; the distroless image has no zoneinfo.
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cornershop:", err)
		os.Exit(1)
	}
}
