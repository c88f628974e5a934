package discordfake

import "strconv"

// Component limits (component_reference.mdx): a message holds at most 5
// action rows, a row at most 5 buttons; a button's label is at most 80
// characters and its custom_id 1 to 100.
const (
	maxActionRows = 5
	maxRowItems   = 5
	maxLabel      = 80
	maxCustomID   = 100
)

// validateComponents checks a message's components as Discord does: 400
// Invalid Form Body (50035) naming the first breach.
func validateComponents(rows []any) *apiError {
	if len(rows) > maxActionRows {
		return formError("components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
	}
	for i, r := range rows {
		row, _ := r.(map[string]any)
		at := "components." + strconv.Itoa(i) + "."
		items, _ := row["components"].([]any)
		if len(items) > maxRowItems {
			return formError(at+"components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
		}
		for j, it := range items {
			c, _ := it.(map[string]any)
			here := at + "components." + strconv.Itoa(j) + "."
			if runes(str(c, "label")) > maxLabel {
				return formError(here+"label", "BASE_TYPE_MAX_LENGTH", "Must be 80 or fewer in length.")
			}
			if id, ok := c["custom_id"].(string); ok && (id == "" || runes(id) > maxCustomID) {
				return formError(here+"custom_id", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
			}
		}
	}
	return nil
}
