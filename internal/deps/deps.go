// Package deps pins the platform libraries the Slack and Discord adapters
// are built on until those adapters land, so go.mod and go.sum stay
// complete for every engineer working in parallel. It has no code.
package deps

import (
	_ "github.com/bwmarrin/discordgo"
	_ "github.com/gorilla/websocket"
	_ "github.com/slack-go/slack"
	_ "github.com/slack-go/slack/slackevents"
	_ "github.com/slack-go/slack/socketmode"
)
