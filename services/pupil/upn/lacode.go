package upn

// LACodeRecognised reports whether code may stand in a UPN's characters 2-4
// (DfE validation rule 1530): every post-April 1998 LA code or recognised
// pseudo-LA code, which is wider than England's current authorities. A
// pupil who moved from a Welsh school keeps a UPN with a Welsh LA code
// (660-681), and 001-005 and 701-708 are pseudo-LA codes. Registering a
// school is a separate, narrower check: the England table in
// internal/lacode.
func LACodeRecognised(code string) bool {
	if len(code) != 3 || !digits(code) {
		return false
	}
	n := int(code[0]-'0')*100 + int(code[1]-'0')*10 + int(code[2]-'0')
	for _, r := range rule1530 {
		if r.from <= n && n <= r.to {
			return true
		}
	}
	return false
}

// rule1530 is the list of DfE rule 1530, "If <UPN> present then characters
// 2-4 of <UPN> must be a valid post April 1998 LA code or a recognised
// 'pseudo LA' code", as written out in data-to-insight/csc-validator-be-cin,
// cin_validator/rules/cin2022_23/rule_1530.py (the rule's text and its
// LA_list). That list predates April 2023, so 942 and 943 (Cumberland and
// Westmorland and Furness, which replaced Cumbria, 909, in April 2023) are
// added: dfe-analytical-services/dfeR, data-raw/old_la_codes.csv, lists
// them as 942 (E06000063) and 943 (E06000064). A UPN allocated there since
// is valid.
var rule1530 = []struct{ from, to int }{
	{1, 5},
	{201, 213},
	{301, 320},
	{330, 336},
	{340, 344},
	{350, 359},
	{370, 373},
	{380, 384},
	{390, 394},
	{420, 420},
	{660, 681}, // Welsh LAs (660 is Isle of Anglesey)
	{701, 708}, // pseudo-LA codes
	{800, 803},
	{805, 808},
	{810, 813},
	{815, 816},
	{820, 823},
	{825, 826},
	{830, 831},
	{835, 839},
	{840, 841},
	{845, 846},
	{850, 852},
	{855, 857},
	{860, 861},
	{865, 896},
	{908, 909},
	{916, 916},
	{919, 919},
	{921, 921},
	{925, 926},
	{928, 929},
	{931, 931},
	{933, 933},
	{935, 938},
	{940, 941},
	{942, 943}, // April 2023, after the rule's list: see above
}
