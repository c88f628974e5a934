package deps

import (
	_ "github.com/bwmarrin/discordgo"
	_ "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	_ "github.com/gorilla/websocket"
	_ "github.com/slack-go/slack"
	_ "github.com/slack-go/slack/socketmode"
	_ "github.com/slack-go/slack/slackevents"
	_ "gorm.io/gorm"
	_ "gorm.io/driver/sqlite"
	_ "gorm.io/driver/postgres"
	_ "modernc.org/sqlite"
	_ "github.com/mattn/go-sqlite3"
	_ "go.yaml.in/yaml/v3"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "golang.org/x/time/rate"
)
