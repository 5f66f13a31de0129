// Package establishment is the table of establishment types of Get
// Information about Schools (GIAS), the register every school and college
// in England is in under its URN: the "TypeOfEstablishment (code)" field of
// its extracts. The post-16 cohort is followed into the institutions of the
// types Post16 names: colleges, sixth-form centres and 16-19 academies and
// free schools, besides school sixth forms.
//
// Source: GIAS's codes as DfE's own DfE Sign-in support service lists them
// (DFE-Digital/login.dfe.support, src/app/users/utils.js,
// getFriendlyOrganisationType), checked against the establishment type
// names of GIAS's public extract. Codes GIAS retired (04, 09, 13, 16, 17,
// 19-23) are left out, so a file naming one is refused, never guessed.
package establishment

// Types are the establishment types by their 2-digit GIAS code.
var Types = map[string]string{
	"01": "Community school",
	"02": "Voluntary aided school",
	"03": "Voluntary controlled school",
	"05": "Foundation school",
	"06": "City technology college",
	"07": "Community special school",
	"08": "Non-maintained special school",
	"10": "Other independent special school",
	"11": "Other independent school",
	"12": "Foundation special school",
	"14": "Pupil referral unit",
	"15": "LA nursery school",
	"18": "Further education",
	"24": "Secure units",
	"25": "Offshore schools",
	"26": "Service children's education",
	"27": "Miscellaneous",
	"28": "Academy sponsor led",
	"29": "Higher education institutions",
	"30": "Welsh establishment",
	"31": "Sixth form centres",
	"32": "Special post 16 institution",
	"33": "Academy special sponsor led",
	"34": "Academy converter",
	"35": "Free schools",
	"36": "Free schools special",
	"37": "British schools overseas",
	"38": "Free schools alternative provision",
	"39": "Free schools 16 to 19",
	"40": "University technical college",
	"41": "Studio schools",
	"42": "Academy alternative provision converter",
	"43": "Academy alternative provision sponsor led",
	"44": "Academy special converter",
	"45": "Academy 16-19 converter",
	"46": "Academy 16 to 19 sponsor led",
	"47": "Children's centre",
	"48": "Children's centre linked site",
	"56": "Institution funded by other government department",
	"57": "Academy secure 16 to 19",
}

// post16 are the types that teach only young people past compulsory
// school age: further education and sixth-form colleges, sixth-form
// centres, special post-16 institutions, 16-19 academies and free schools,
// and higher education.
var post16 = map[string]bool{"18": true, "29": true, "31": true, "32": true, "39": true, "45": true, "46": true, "57": true}

// Known reports whether code is a current GIAS establishment type.
func Known(code string) bool {
	_, ok := Types[code]
	return ok
}

// Post16 reports whether institutions of the type teach only young people
// past compulsory school age.
func Post16(code string) bool { return post16[code] }
