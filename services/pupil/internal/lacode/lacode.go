// Package lacode is the table of England's local authority codes, for
// registering a school: the 3-digit "LA number" the DfE uses in Get
// Information About Schools and the school census. A UPN's characters 2-4
// accept a wider list (DfE rule 1530, with Welsh and pseudo-LA codes):
// upn.LACodeRecognised.
//
// Source: dfe-analytical-services/dfeR, data-raw/old_la_codes.csv (built
// from Get Information About Schools), which pairs each 3-digit code with
// its ONS code. Reorganisations it records:
//   - April 2019: Dorset (835), Poole (836) and Bournemouth (837) became 838
//     Dorset and 839 Bournemouth, Christchurch and Poole.
//   - April 2020: Buckinghamshire became a unitary authority and kept 825
//     (its ONS code changed from E10000002 to E06000060).
//   - April 2021: Northamptonshire (928) split into 940 North and 941 West
//     Northamptonshire.
//   - April 2023: North Yorkshire (815, E10000023 to E06000065) and Somerset
//     (933, E10000027 to E06000066) became unitary and kept their codes;
//     Cumbria (909) split into 942 Cumberland and 943 Westmorland and
//     Furness.
//
// Codes retired by a reorganisation stay in the table as not current: a UPN
// keeps the code it was allocated under for life, but no school can be
// registered under a retired code.
package lacode

// Authority is one local authority.
type Authority struct {
	Name string
	// Current is false for a code retired by a reorganisation.
	Current bool
}

// Lookup returns the authority with the 3-digit code.
func Lookup(code string) (Authority, bool) {
	a, ok := authorities[code]
	return a, ok
}

// Current reports whether code is an LA code in use today, so that a school
// can be registered under it.
func Current(code string) bool {
	return authorities[code].Current
}

func current(name string) Authority { return Authority{Name: name, Current: true} }
func retired(name string) Authority { return Authority{Name: name} }

var authorities = map[string]Authority{
	// Inner London
	"201": current("City of London"),
	"202": current("Camden"),
	"203": current("Greenwich"),
	"204": current("Hackney"),
	"205": current("Hammersmith and Fulham"),
	"206": current("Islington"),
	"207": current("Kensington and Chelsea"),
	"208": current("Lambeth"),
	"209": current("Lewisham"),
	"210": current("Southwark"),
	"211": current("Tower Hamlets"),
	"212": current("Wandsworth"),
	"213": current("Westminster"),
	// Outer London
	"301": current("Barking and Dagenham"),
	"302": current("Barnet"),
	"303": current("Bexley"),
	"304": current("Brent"),
	"305": current("Bromley"),
	"306": current("Croydon"),
	"307": current("Ealing"),
	"308": current("Enfield"),
	"309": current("Haringey"),
	"310": current("Harrow"),
	"311": current("Havering"),
	"312": current("Hillingdon"),
	"313": current("Hounslow"),
	"314": current("Kingston upon Thames"),
	"315": current("Merton"),
	"316": current("Newham"),
	"317": current("Redbridge"),
	"318": current("Richmond upon Thames"),
	"319": current("Sutton"),
	"320": current("Waltham Forest"),
	// Metropolitan districts
	"330": current("Birmingham"),
	"331": current("Coventry"),
	"332": current("Dudley"),
	"333": current("Sandwell"),
	"334": current("Solihull"),
	"335": current("Walsall"),
	"336": current("Wolverhampton"),
	"340": current("Knowsley"),
	"341": current("Liverpool"),
	"342": current("St. Helens"),
	"343": current("Sefton"),
	"344": current("Wirral"),
	"350": current("Bolton"),
	"351": current("Bury"),
	"352": current("Manchester"),
	"353": current("Oldham"),
	"354": current("Rochdale"),
	"355": current("Salford"),
	"356": current("Stockport"),
	"357": current("Tameside"),
	"358": current("Trafford"),
	"359": current("Wigan"),
	"370": current("Barnsley"),
	"371": current("Doncaster"),
	"372": current("Rotherham"),
	"373": current("Sheffield"),
	"380": current("Bradford"),
	"381": current("Calderdale"),
	"382": current("Kirklees"),
	"383": current("Leeds"),
	"384": current("Wakefield"),
	"390": current("Gateshead"),
	"391": current("Newcastle upon Tyne"),
	"392": current("North Tyneside"),
	"393": current("South Tyneside"),
	"394": current("Sunderland"),
	"420": current("Isles of Scilly"),
	// Shire counties and unitary authorities
	"800": current("Bath and North East Somerset"),
	"801": current("Bristol, City of"),
	"802": current("North Somerset"),
	"803": current("South Gloucestershire"),
	"805": current("Hartlepool"),
	"806": current("Middlesbrough"),
	"807": current("Redcar and Cleveland"),
	"808": current("Stockton-on-Tees"),
	"810": current("Kingston upon Hull, City of"),
	"811": current("East Riding of Yorkshire"),
	"812": current("North East Lincolnshire"),
	"813": current("North Lincolnshire"),
	"815": current("North Yorkshire"), // unitary from April 2023, same code
	"816": current("York"),
	"821": current("Luton"),
	"822": current("Bedford"),
	"823": current("Central Bedfordshire"),
	"825": current("Buckinghamshire"), // unitary from April 2020, same code
	"826": current("Milton Keynes"),
	"830": current("Derbyshire"),
	"831": current("Derby"),
	"835": retired("Dorset (to March 2019)"),
	"836": retired("Poole (to March 2019)"),
	"837": retired("Bournemouth (to March 2019)"),
	"838": current("Dorset"),                              // from April 2019 (was 835, 836, 837)
	"839": current("Bournemouth, Christchurch and Poole"), // from April 2019
	"840": current("County Durham"),
	"841": current("Darlington"),
	"845": current("East Sussex"),
	"846": current("Brighton and Hove"),
	"850": current("Hampshire"),
	"851": current("Portsmouth"),
	"852": current("Southampton"),
	"855": current("Leicestershire"),
	"856": current("Leicester"),
	"857": current("Rutland"),
	"860": current("Staffordshire"),
	"861": current("Stoke-on-Trent"),
	"865": current("Wiltshire"),
	"866": current("Swindon"),
	"867": current("Bracknell Forest"),
	"868": current("Windsor and Maidenhead"),
	"869": current("West Berkshire"),
	"870": current("Reading"),
	"871": current("Slough"),
	"872": current("Wokingham"),
	"873": current("Cambridgeshire"),
	"874": current("Peterborough"),
	"876": current("Halton"),
	"877": current("Warrington"),
	"878": current("Devon"),
	"879": current("Plymouth"),
	"880": current("Torbay"),
	"881": current("Essex"),
	"882": current("Southend-on-Sea"),
	"883": current("Thurrock"),
	"884": current("Herefordshire"),
	"885": current("Worcestershire"),
	"886": current("Kent"),
	"887": current("Medway"),
	"888": current("Lancashire"),
	"889": current("Blackburn with Darwen"),
	"890": current("Blackpool"),
	"891": current("Nottinghamshire"),
	"892": current("Nottingham"),
	"893": current("Shropshire"),
	"894": current("Telford and Wrekin"),
	"895": current("Cheshire East"),
	"896": current("Cheshire West and Chester"),
	"908": current("Cornwall"),
	"909": retired("Cumbria (to March 2023)"),
	"916": current("Gloucestershire"),
	"919": current("Hertfordshire"),
	"921": current("Isle of Wight"),
	"925": current("Lincolnshire"),
	"926": current("Norfolk"),
	"928": retired("Northamptonshire (to March 2021)"),
	"929": current("Northumberland"),
	"931": current("Oxfordshire"),
	"933": current("Somerset"), // unitary from April 2023, same code
	"935": current("Suffolk"),
	"936": current("Surrey"),
	"937": current("Warwickshire"),
	"938": current("West Sussex"),
	"940": current("North Northamptonshire"),  // from April 2021 (was 928)
	"941": current("West Northamptonshire"),   // from April 2021 (was 928)
	"942": current("Cumberland"),              // from April 2023 (was 909)
	"943": current("Westmorland and Furness"), // from April 2023 (was 909)
}
