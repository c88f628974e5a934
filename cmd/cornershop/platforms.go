package main

import (
	"fmt"
	"log/slog"
	"strings"

	"cornershop/bots/discord"
	"cornershop/bots/slack"
	"cornershop/bots/telegram"
	"cornershop/config"
)

// unconfigured is a platform left out, and how to turn it on.
type unconfigured struct {
	platform string
	how      string
}

// deskChannels lists the desk channels configured on a platform.
func deskChannels(cfg *config.Config, platform string) []string {
	var out []string
	for _, d := range cfg.Desks {
		if d.Platform == platform {
			out = append(out, d.Channel)
		}
	}
	return out
}

// boards lists the ideas boards configured on a platform as channel ids
// (Telegram: "chat/topic").
func boards(cfg *config.Config, platform string) []string {
	var out []string
	for _, b := range cfg.Ideas.Boards {
		if b.Platform != platform {
			continue
		}
		if b.Topic != "" {
			out = append(out, b.Channel+"/"+b.Topic)
		} else {
			out = append(out, b.Channel)
		}
	}
	return out
}

// buildAdapters creates the adapters of the enabled platforms.
func buildAdapters(cfg *config.Config, log *slog.Logger) ([]adapter, []unconfigured, error) {
	var ads []adapter
	var missing []unconfigured
	if t := cfg.Telegram; t.Enabled {
		b, err := telegram.New(telegram.Options{
			Token: t.Token.Reveal(), APIURL: t.APIURL, Mode: t.Mode,
			WebhookURL:    strings.TrimRight(cfg.HTTP.PublicURL, "/") + "/telegram/webhook",
			WebhookSecret: t.WebhookSecret.Reveal(), WebhookMaxConnections: t.WebhookMaxConnections, PollTimeout: t.PollTimeout,
			DeskChats: deskChannels(cfg, "telegram"), IdeaBoards: boards(cfg, "telegram"), Groups: t.Groups, FileSizeLimit: t.FileSizeLimit, NoPacing: t.Pacing == "off",
			Listening: listeningChannels(cfg, "telegram"), Logger: log.With("platform", "telegram"),
		})
		if err != nil {
			return nil, nil, fmt.Errorf("telegram: %w", err)
		}
		ads = append(ads, b)
	} else {
		missing = append(missing, unconfigured{"telegram", "set telegram.enabled and CORNERSHOP_TELEGRAM_TOKEN"})
	}
	if sl := cfg.Slack; sl.Enabled {
		b, err := slack.New(slack.Options{
			BotToken: sl.BotToken.Reveal(), AppToken: sl.AppToken.Reveal(), SigningSecret: sl.SigningSecret.Reveal(),
			APIURL: sl.APIURL, Mode: sl.Mode, DeskChannels: deskChannels(cfg, "slack"), IdeaBoards: boards(cfg, "slack"), CustomerChannels: sl.CustomerChannels,
			ListeningChannels: listeningChannels(cfg, "slack"), NoPacing: sl.Pacing == "off", Logger: log.With("platform", "slack"),
		})
		if err != nil {
			return nil, nil, fmt.Errorf("slack: %w", err)
		}
		ads = append(ads, b)
	} else {
		missing = append(missing, unconfigured{"slack", "set slack.enabled, CORNERSHOP_SLACK_BOT_TOKEN and CORNERSHOP_SLACK_APP_TOKEN"})
	}
	if d := cfg.Discord; d.Enabled {
		kind := "thread"
		for _, desk := range cfg.Desks {
			if desk.Platform == "discord" && desk.Kind == "forum" {
				kind = "forum"
			}
		}
		discordgoLogs.route(log)
		b, err := discord.New(discord.Options{
			Token: d.Token.Reveal(), ApplicationID: d.ApplicationID, APIURL: d.APIURL,
			DeskChannels: deskChannels(cfg, "discord"), DeskKind: kind, IdeaBoards: boards(cfg, "discord"),
			CommunityChannels: d.CommunityChannels, CommunityTrigger: d.CommunityTrigger, ListeningChannels: listeningChannels(cfg, "discord"),
			TeamName: cfg.Team.Name, TeamAvatarURL: cfg.Team.AvatarURL, NoPacing: d.Pacing == "off", PublicKey: d.PublicKey,
			Logger: log.With("platform", "discord"),
		})
		if err != nil {
			return nil, nil, fmt.Errorf("discord: %w", err)
		}
		ads = append(ads, b)
	} else {
		missing = append(missing, unconfigured{"discord", "set discord.enabled and CORNERSHOP_DISCORD_TOKEN"})
	}
	return ads, missing, nil
}
