package slack

import "cornershop/core"

// mention renders a mention cornershop means (an SLA warning's) as Slack's
// syntax: <@U…> for a user, <!subteam^S…> for a user group; "" for none
// or an id that is not one.
func mention(m core.Mention) string {
	switch {
	case slackID(m.User):
		return "<@" + m.User + ">"
	case slackID(m.Group):
		return "<!subteam^" + m.Group + ">"
	}
	return ""
}

// slackID reports whether id looks like a Slack id (upper-case letters and
// digits), so nothing else ever lands inside mention syntax.
func slackID(id string) bool {
	if id == "" || len(id) > 32 {
		return false
	}
	for _, c := range id {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
