package relay

// answerFrom is `!answer from <message link>`: not built yet.
func answerFrom(c *invocation, link string) (string, error) {
	return "Turning a community reply into an answer is not available yet.", nil
}
