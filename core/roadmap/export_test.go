package roadmap

// Pure helpers, for the table tests in roadmap_test.
var (
	Votes     = votes
	Excerpt   = excerpt
	WantsJSON = wantsJSON
)
