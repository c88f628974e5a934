package main

import (
	"log/slog"

	"cornershop/config"
)

// unconfigured is a platform left out, and how to turn it on.
type unconfigured struct {
	platform string
	how      string
}

// buildAdapters creates the adapters of the enabled platforms.
func buildAdapters(cfg *config.Config, log *slog.Logger) ([]adapter, []unconfigured, error) {
	var ads []adapter
	var missing []unconfigured
	if !cfg.Telegram.Enabled {
		missing = append(missing, unconfigured{"telegram", "set telegram.enabled and CORNERSHOP_TELEGRAM_TOKEN"})
	}
	if !cfg.Slack.Enabled {
		missing = append(missing, unconfigured{"slack", "set slack.enabled, CORNERSHOP_SLACK_BOT_TOKEN and CORNERSHOP_SLACK_APP_TOKEN"})
	}
	if !cfg.Discord.Enabled {
		missing = append(missing, unconfigured{"discord", "set discord.enabled and CORNERSHOP_DISCORD_TOKEN"})
	}
	return ads, missing, nil
}
