package main

import (
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/bwmarrin/discordgo"

	"cornershop/bots/discord"
)

// libraryLogs routes discordgo's own log lines into a service's slog
// logger. discordgo offers no per-session logger, only one package-level
// hook (discordgo.Logger; without it, plain text through the standard log
// package lands in our JSON stream). So the hook is written once per
// process, before any Discord session exists, to a forwarder; each service
// this process starts (serve, demo, a bench replica) then points the
// forwarder at its logger, the latest one winning. This is our only
// process-wide state, and it exists because the library's hook is
// process-wide.
type libraryLogs struct {
	once sync.Once
	to   atomic.Pointer[slog.Logger]
}

// discordgoLogs is the process's one libraryLogs, as discordgo.Logger is
// the process's one hook.
var discordgoLogs libraryLogs

// route sends discordgo's log lines to l from now on.
func (ll *libraryLogs) route(l *slog.Logger) {
	ll.to.Store(l.With("platform", "discord"))
	ll.once.Do(func() { discordgo.Logger = ll.log })
}

func (ll *libraryLogs) log(msgL, caller int, format string, a ...any) {
	if l := ll.to.Load(); l != nil {
		// One more frame (this one) between discordgo and the logger.
		discord.LibraryLogger(l)(msgL, caller+1, format, a...)
	}
}
