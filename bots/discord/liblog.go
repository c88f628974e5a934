package discord

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"strconv"

	"github.com/bwmarrin/discordgo"
)

// LibraryLogger returns a function to install as discordgo.Logger, the
// library's one, package-level log hook: each line discordgo logs becomes
// a record of l with the constant message "discordgo", the line's text as
// "detail" and where in discordgo it was written as "source", at the
// matching level (LogError → Error, LogWarning → Warn, LogInformational →
// Info, LogDebug → Debug). Without it discordgo writes plain text through
// the standard log package into the service's JSON log stream.
//
// Each session still decides what it logs (the Bot's sessions log errors
// only, so no gateway payload with customer text reaches the log). The
// returned function is safe for concurrent use; installing it is the
// caller's business, once per process, before any session runs.
func LibraryLogger(l *slog.Logger) func(msgL, caller int, format string, a ...any) {
	return func(msgL, caller int, format string, a ...any) {
		level := libraryLevel(msgL)
		if !l.Enabled(context.Background(), level) {
			return
		}
		attrs := []any{"detail", fmt.Sprintf(format, a...)}
		// discordgo's caller counts from its own msglog, one frame below
		// this function.
		if _, file, line, ok := runtime.Caller(caller + 1); ok {
			attrs = append(attrs, "source", filepath.Base(file)+":"+strconv.Itoa(line))
		}
		l.Log(context.Background(), level, "discordgo", attrs...)
	}
}

func libraryLevel(msgL int) slog.Level {
	switch msgL {
	case discordgo.LogError:
		return slog.LevelError
	case discordgo.LogWarning:
		return slog.LevelWarn
	case discordgo.LogInformational:
		return slog.LevelInfo
	}
	return slog.LevelDebug
}
