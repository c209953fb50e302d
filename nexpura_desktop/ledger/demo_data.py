"""Word lists for the demo shop: names, places, products and phrases a Sydney jeweller uses.

Kept apart from the generators so the realism can grow without touching the logic.
"""

from __future__ import annotations

# Dense tables read better one row per line; keep the formatter from exploding them.
# fmt: off

FIRST_NAMES = (
    "Olivia", "Charlotte", "Amelia", "Isla", "Mia", "Ava", "Grace", "Chloe", "Sophie", "Ella",
    "Ruby", "Zoe", "Emily", "Lucy", "Harper", "Matilda", "Evie", "Georgia", "Hannah", "Jessica",
    "Sarah", "Emma", "Rebecca", "Lauren", "Megan", "Kate", "Natalie", "Michelle", "Rachel",
    "Nicole", "Karen", "Susan", "Margaret", "Helen", "Deborah", "Julie", "Lisa", "Anne",
    "Jack", "Oliver", "William", "Noah", "Thomas", "James", "Lucas", "Henry", "Charlie",
    "Leo", "Ethan", "Samuel", "Liam", "Harrison", "Cooper", "Lachlan", "Max", "Hudson",
    "Daniel", "Matthew", "Andrew", "Michael", "David", "Peter", "Mark", "Paul", "Steven",
    "Christopher", "Benjamin", "Joshua", "Ryan", "Nathan", "Luke", "Adam", "Craig", "Brett",
    "Giulia", "Marco", "Alessandro", "Francesca", "Nikos", "Eleni", "Dimitri", "Sofia",
    "Wei", "Mei", "Jun", "Xin", "Ling", "Hao", "Minh", "Linh", "Thanh", "Priya", "Arjun",
    "Ananya", "Rohan", "Aisha", "Omar", "Fatima", "Karim", "Layla", "Hiroshi", "Yuki",
    "Ji-woo", "Seo-yeon", "Aroha", "Tane", "Siobhan", "Declan", "Maeve", "Connor", "Zara",
)

LAST_NAMES = (
    "Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Johnson", "White", "Martin",
    "Anderson", "Thompson", "Nguyen", "Thomas", "Walker", "Harris", "Lee", "Ryan", "Robinson",
    "Kelly", "King", "Davis", "Wright", "Evans", "Roberts", "Green", "Hall", "Wood", "Jackson",
    "Clarke", "Patel", "Khan", "Lewis", "James", "Phillips", "Mitchell", "Campbell", "Cooper",
    "O'Brien", "O'Connor", "McDonald", "Murphy", "Stewart", "Turner", "Edwards", "Baker",
    "Hughes", "Morris", "Bennett", "Fraser", "Hamilton", "Sullivan", "Russo", "Rossi",
    "Bianchi", "Romano", "Esposito", "Papadopoulos", "Georgiou", "Nikolaidis", "Kostas",
    "Tran", "Pham", "Le", "Huynh", "Vo", "Chen", "Wang", "Zhang", "Liu", "Li", "Huang", "Wu",
    "Zhou", "Singh", "Sharma", "Kumar", "Gupta", "Haddad", "Khoury", "Nasser", "Saleh",
    "Tanaka", "Sato", "Kim", "Park", "Choi", "Ngata", "Walsh", "Byrne", "Gallagher",
    "van der Berg", "de Souza", "MacKenzie", "Fitzgerald", "Ashworth", "Pemberton", "Hale",
)

EMAIL_DOMAINS = (
    "gmail.com", "gmail.com", "gmail.com", "outlook.com", "hotmail.com", "icloud.com",
    "bigpond.com", "bigpond.net.au", "yahoo.com.au", "optusnet.com.au", "live.com.au",
    "tpg.com.au", "me.com",
)

# (display, E.164) of numbers people type that are not Australian.
INTERNATIONAL_PHONES = (
    ("+64 21 345 6789", "+64213456789"),
    ("+44 7700 900123", "+447700900123"),
    ("+1 415 555 0132", "+14155550132"),
    ("+65 9123 4567", "+6591234567"),
    ("+852 9123 4567", "+85291234567"),
    ("0064 27 123 4567", "+64271234567"),
)

# What ends up in a phone field when someone types something that is not a number.
INVALID_PHONES = ("0412 345", "12345", "n/a", "ask husband", "0400 000 000 0", "04123456789", "-")

SYDNEY_SUBURBS = (
    ("Paddington", "NSW", "2021"), ("Surry Hills", "NSW", "2010"), ("Mosman", "NSW", "2088"),
    ("Bondi", "NSW", "2026"), ("Manly", "NSW", "2095"), ("Chatswood", "NSW", "2067"),
    ("Parramatta", "NSW", "2150"), ("Newtown", "NSW", "2042"), ("Balmain", "NSW", "2041"),
    ("Randwick", "NSW", "2031"), ("Neutral Bay", "NSW", "2089"), ("Strathfield", "NSW", "2135"),
    ("Cronulla", "NSW", "2230"), ("Hornsby", "NSW", "2077"), ("Castle Hill", "NSW", "2154"),
    ("Double Bay", "NSW", "2028"), ("Leichhardt", "NSW", "2040"), ("Kogarah", "NSW", "2217"),
    ("Penrith", "NSW", "2750"), ("Liverpool", "NSW", "2170"), ("Cabramatta", "NSW", "2166"),
    ("Wollongong", "NSW", "2500"), ("Newcastle", "NSW", "2300"), ("Richmond", "VIC", "3121"),
    ("Fitzroy", "VIC", "3065"), ("New Farm", "QLD", "4005"), ("Canberra", "ACT", "2601"),
)

STREETS = (
    "George St", "Oxford St", "Military Rd", "Pittwater Rd", "King St", "Crown St",
    "Victoria Rd", "Pacific Hwy", "Church St", "Darling St", "Avoca St", "Spit Rd",
    "Macquarie St", "Bronte Rd", "Anzac Pde", "Wattle St", "Banksia Ave", "Jacaranda Cres",
)

CUSTOMER_SOURCES = (
    "walk_in", "walk_in", "walk_in", "referral", "website", "instagram", "google",
    "facebook", "wedding_expo", "returning",
)

CUSTOMER_TAGS = (
    "engagement", "wedding", "anniversary", "watch-collector", "pearls", "opals", "bridal",
    "corporate-gifts", "repairs-only", "estate-jewellery", "vip-event",
)

MARKETING_TAGS = ("newsletter", "new-arrivals", "sale-events", "bridal-campaign", "christmas")

CUSTOMER_NOTES = (
    "Prefers appointments on Saturday mornings.",
    "Allergic to nickel - only 18ct or platinum.",
    "Husband buys anniversary gifts each March.",
    "Collects Australian opals.",
    "Referred by the Mitchells.",
    "Likes vintage / art deco styles.",
    "Call before 5pm only.",
    "Left-handed - wears rings on right hand.",
)

RING_SIZES = ("H", "I", "J", "J½", "K", "K½", "L", "L½", "M", "M½", "N", "O", "P", "Q", "R", "S")

# Staff of the shop: (name, team role, user role or None for a pending invite, department).
STAFF = (
    ("Sarah Mitchell", "owner", "owner", "management"),
    ("Daniel Russo", "manager", "manager", "sales"),
    ("Priya Sharma", "salesperson", "staff", "sales"),
    ("Tom Nguyen", "workshop_jeweller", "staff", "workshop"),
    ("Grace O'Connor", "repair_technician", "staff", "workshop"),
    ("Helen Papadopoulos", "accountant", "staff", "admin"),
    ("Liam Walsh", "salesperson", None, "sales"),
    ("Mei Chen", "inventory_manager", "staff", "sales"),
    ("Marco Bianchi", "workshop_jeweller", "staff", "workshop"),
    ("Aisha Haddad", "salesperson", "staff", "sales"),
    ("Jack Fraser", "technician", "staff", "workshop"),
    ("Zoe Kim", "salesperson", "staff", "sales"),
    ("Hannah Lee", "staff", "staff", "sales"),
    ("Ryan Cooper", "repair_technician", "staff", "workshop"),
    ("Sofia Georgiou", "salesperson", "staff", "sales"),
    ("Nathan Hale", "manager", "manager", "workshop"),
)

# (name, contact, email domain, payment terms, what they supply)
SUPPLIERS = (
    ("Southern Cross Bullion", "Karen Hughes", "southerncrossbullion.com.au", "7 days", "gold"),
    ("Antwerp Diamond House", "Pieter de Vries", "antwerpdiamondhouse.com", "Net 30", "diamond"),
    ("Broome Pearl Co.", "Lisa Walker", "broomepearl.com.au", "Net 30", "pearl"),
    ("Lightning Ridge Opals", "Craig Turner", "lropals.com.au", "COD", "opal"),
    ("Chain & Findings Wholesale", "Wei Zhang", "chainfindings.com.au", "EOM + 30", "chain"),
    ("Swiss Time Distributors", "Marc Keller", "swisstime.com.au", "Net 60", "watch"),
    ("Gemline Imports", "Ananya Gupta", "gemline.com.au", "Net 30", "gemstone"),
    ("Castings Australia", "Brett Robinson", "castingsaustralia.com.au", "14 days", "casting"),
    ("Sterling Silver Supply", "Megan Evans", "sterlingsilversupply.com.au", "Net 30", "silver"),
    ("Platinum Guild Traders", "Hiroshi Tanaka", "pgtraders.com.au", "Net 30", "platinum"),
    ("Estate Pieces Consignment", "Margaret Hall", "estatepieces.com.au", "On sale", "estate"),
    ("Argyle Pink Traders", "Julie Bennett", "argylepink.com.au", "Net 30", "diamond"),
    ("Packaging Plus", "Steven Wright", "packagingplus.com.au", "Net 14", "packaging"),
    ("Tool & Bench Supplies", "Paul Morris", "toolbench.com.au", "Net 30", "tools"),
)

# (metal, colour, purity, display) — display is what appears in item names.
METALS = (
    ("Gold", "Yellow", "18ct", "18ct Yellow Gold"),
    ("Gold", "White", "18ct", "18ct White Gold"),
    ("Gold", "Rose", "18ct", "18ct Rose Gold"),
    ("Gold", "Yellow", "9ct", "9ct Yellow Gold"),
    ("Gold", "White", "9ct", "9ct White Gold"),
    ("Gold", "Rose", "9ct", "9ct Rose Gold"),
    ("Gold", "Yellow", "14ct", "14ct Yellow Gold"),
    ("Platinum", "White", "950", "Platinum"),
    ("Silver", "White", "925", "Sterling Silver"),
)

# (stone, colour, typical carat range) — None means a plain piece.
STONES = (
    ("Diamond", "White", (0.1, 2.5)),
    ("Diamond", "White", (0.05, 1.0)),
    ("Sapphire", "Blue", (0.3, 3.0)),
    ("Ruby", "Red", (0.2, 2.0)),
    ("Emerald", "Green", (0.3, 2.5)),
    ("Pearl", "White", (0.0, 0.0)),
    ("Opal", "Black", (0.5, 5.0)),
    ("Tanzanite", "Violet", (0.5, 3.0)),
    ("Morganite", "Pink", (0.8, 4.0)),
    ("Aquamarine", "Blue", (0.5, 3.0)),
    ("Amethyst", "Purple", (0.5, 4.0)),
    ("Argyle Pink Diamond", "Pink", (0.05, 0.3)),
)

# (category, code, jewellery_type, base price in dollars, styles)
CATEGORIES = (
    ("Engagement Rings", "ENG", "ring", 3200, ("Solitaire", "Halo", "Trilogy", "Vintage", "Pavé")),
    ("Wedding Bands", "WED", "ring", 900, ("Court", "Comfort Fit", "Diamond Set", "Flat")),
    ("Dress Rings", "RNG", "ring", 1100, ("Cocktail", "Cluster", "Signet", "Stacking")),
    ("Earrings", "EAR", "earrings", 650, ("Stud", "Hoop", "Drop", "Huggie")),
    ("Necklaces", "NEC", "necklace", 950, ("Tennis", "Lariat", "Collar", "Station")),
    ("Pendants", "PEN", "pendant", 700, ("Solitaire", "Locket", "Halo", "Initial")),
    ("Bracelets", "BRC", "bracelet", 1200, ("Tennis", "Charm", "Link", "Bangle")),
    ("Chains", "CHN", "chain", 420, ("Curb", "Belcher", "Rope", "Figaro", "Box")),
    ("Watches", "WAT", "watch", 1800, ("Dress", "Chronograph", "Diver", "Automatic")),
    ("Cufflinks", "CUF", "cufflinks", 380, ("Oval", "Knot", "Engraved")),
)

WATCH_BRANDS = ("Seiko", "Tissot", "Longines", "Citizen", "Hamilton", "Omega", "TAG Heuer")

CHAIN_LENGTHS = ("40cm", "45cm", "50cm", "55cm", "60cm")

GRADING_LABS = ("GIA", "IGI", "AGS", "GSL")

DIAMOND_GRADES = ("D VS1", "E VVS2", "F VS2", "G VS1", "G SI1", "H VS2", "H SI1", "I SI2")

# (description, price in dollars) of things sold without a stock record.
SERVICES = (
    ("Engraving (per line)", 35),
    ("Gift wrapping", 10),
    ("Watch battery replacement", 25),
    ("Ultrasonic clean & polish", 20),
    ("Ring sizing (same day)", 65),
    ("Jewellery valuation for insurance", 120),
    ("Chain extension", 45),
)

VOUCHER_AMOUNTS = (50, 100, 100, 150, 200, 250, 500)

REPAIR_TYPES = (
    ("Resize", "Resize ring from {a} to {b}"),
    ("Re-tip claws", "Re-tip 4 claws and check stone security"),
    ("Chain solder", "Solder broken link and polish"),
    ("Watch battery", "Replace battery and reseal case"),
    ("Polish & clean", "Full polish, ultrasonic clean and rhodium plate"),
    ("Stone replacement", "Source and set replacement stone"),
    ("Clasp replacement", "Replace worn bolt ring with lobster clasp"),
    ("Watch service", "Full movement service and pressure test"),
    ("Engraving", "Hand engrave inside band"),
    ("Re-shank", "Replace worn shank, keep original head"),
    ("Pearl restring", "Restring pearls with silk, knotted between each"),
)

REPAIR_ITEMS = (
    ("ring", "wedding band, worn thin at the back"),
    ("ring", "engagement ring, claws worn"),
    ("necklace", "chain, broken near the clasp"),
    ("bracelet", "tennis bracelet, loose clasp"),
    ("watch", "watch, stopped"),
    ("earrings", "stud earrings, post bent"),
    ("pendant", "opal pendant, stone loose"),
    ("necklace", "pearl strand, thread stretched"),
)

BESPOKE_TITLES = (
    "Custom engagement ring - {stone} {shape}",
    "Redesign of grandmother's {stone} ring",
    "Matching wedding bands",
    "Bespoke {stone} pendant",
    "Anniversary eternity ring",
    "Remodel inherited earrings into a pendant",
    "Custom signet ring with family crest",
)

STONE_SHAPES = ("round", "oval", "cushion", "emerald cut", "pear", "marquise", "princess")

SETTING_STYLES = ("claw", "bezel", "halo", "pavé", "channel", "tension", "flush")

APPOINTMENT_TYPES = (
    "engagement_consultation", "bespoke_design", "repair_dropoff", "collection",
    "valuation", "general", "watch_service",
)

TASK_TITLES = (
    ("Call {customer} about repair quote", "repair", "sales"),
    ("Order 18ct white gold shank for {customer}", "bespoke", "workshop"),
    ("Send CAD render to {customer} for approval", "bespoke", "workshop"),
    ("Follow up unpaid invoice with {customer}", "customer", "admin"),
    ("Photograph new arrivals for the website", None, "sales"),
    ("Restock display case {n}", None, "sales"),
    ("Reconcile EOD takings", None, "admin"),
    ("Check stone security on {customer}'s ring before collection", "repair", "workshop"),
    ("Book setter for {customer}'s job", "bespoke", "workshop"),
    ("Prepare insurance valuation for {customer}", "customer", "sales"),
    ("Stocktake - chains and findings", None, "sales"),
    ("Clean and re-polish window display pieces", None, "workshop"),
)

TASK_COMMENTS = (
    "Left a voicemail, will try again tomorrow.",
    "Customer approved - go ahead.",
    "Waiting on supplier, ETA next Tuesday.",
    "Done, photos uploaded.",
    "Can you double-check the ring size first?",
    "Spoke to them, they'll come in Saturday.",
    "Parts arrived.",
)

REFUND_REASONS = (
    "Wrong size", "Changed mind", "Gift duplicate", "Faulty clasp", "Colour not as expected",
    "Stone loose on arrival",
)

# fmt: on
