package discord

import (
	"github.com/bwmarrin/discordgo"

	"cornershop/core"
)

// mention renders a mention cornershop means (an SLA warning's) as
// Discord's syntax, with the allowed_mentions that permit exactly that
// user or role and nothing else; no mention is noPings.
func mention(m core.Mention) (string, *discordgo.MessageAllowedMentions) {
	switch {
	case snowflake(m.User):
		return "<@" + m.User + ">", &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}, Users: []string{m.User}}
	case snowflake(m.Group):
		return "<@&" + m.Group + ">", &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}, Roles: []string{m.Group}}
	}
	return "", noPings()
}

// snowflake reports whether id looks like a Discord id (digits only), so
// nothing else ever lands inside mention syntax.
func snowflake(id string) bool {
	if id == "" || len(id) > 20 {
		return false
	}
	for _, c := range id {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
