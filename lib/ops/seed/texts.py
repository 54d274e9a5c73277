"""The demo's words: what Rewari's citizens complain about (English and Hindi), how often, where, and
what officers write back. Only lib.ops.seed reads these."""
from __future__ import annotations

from lib.core.complaints import Status
from lib.core.i18n import Language

PLACE = "{place}"             # where a complaint text names the village or town

# Per category: (department the DC office assigns when the category has none, subject and
# description in English, then in Hindi). {place} is replaced by the village or town.
TEXTS: dict[str, list[tuple[str | None, str, str, str, str]]] = {
    "WATER": [
        (None, "No drinking water supply for ten days",
         "There has been no drinking water supply in our street in {place} for the last ten days. Please restore it.",
         "दस दिन से पीने का पानी नहीं आ रहा",
         "{place} में हमारी गली में पिछले दस दिनों से पीने के पानी की सप्लाई बंद है। कृपया जल्द बहाल करवाएँ।"),
        (None, "Dirty water coming from the tap",
         "The water supplied in {place} is muddy and smells bad. Children are falling ill.",
         "नल में गंदा पानी आ रहा है",
         "{place} में नल से मटमैला और बदबूदार पानी आ रहा है, बच्चे बीमार हो रहे हैं।"),
        (None, "Broken water pipeline",
         "The main water pipeline near the chaupal in {place} is broken and water has been wasted for a week.",
         "पानी की पाइपलाइन टूटी हुई है",
         "{place} में चौपाल के पास मुख्य पाइपलाइन एक हफ़्ते से टूटी पड़ी है और पानी बह रहा है।"),
    ],
    "SEWER": [
        (None, "Sewer overflowing in the street",
         "The sewer line in {place} is blocked and dirty water is overflowing into the street.",
         "गली में सीवर ओवरफ्लो", "{place} में सीवर लाइन जाम है और गंदा पानी गली में भर रहा है।"),
        (None, "Rainwater not draining",
         "After every rain, water stands in our colony in {place} for days because the drain is blocked.",
         "बरसात का पानी नहीं निकलता", "{place} में हर बारिश के बाद नाली जाम होने से कई दिन तक पानी भरा रहता है।"),
        (None, "Open manhole is dangerous",
         "A manhole cover is missing on the main road of {place}; someone may fall in at night.",
         "खुला मैनहोल खतरनाक", "{place} की मुख्य सड़क पर मैनहोल का ढक्कन गायब है, रात में कोई गिर सकता है।"),
    ],
    "SANITATION": [
        (None, "Garbage not collected",
         "Garbage has not been collected in {place} for two weeks; the heap attracts stray animals.",
         "कूड़ा नहीं उठाया जा रहा", "{place} में दो हफ़्ते से कूड़ा नहीं उठाया गया, ढेर पर आवारा पशु जमा रहते हैं।"),
        (None, "Garbage dumped near the school",
         "People dump garbage next to the school in {place}. Please have it cleared and stop the dumping.",
         "स्कूल के पास कूड़े का ढेर", "{place} में स्कूल के पास लोग कूड़ा डाल रहे हैं, कृपया सफ़ाई करवाएँ और रोक लगाएँ।"),
        (None, "No sweeping in our lane",
         "The sweeper has not come to our lane in {place} for a month.",
         "गली में सफ़ाई नहीं होती", "{place} में हमारी गली में एक महीने से सफ़ाई कर्मचारी नहीं आया।"),
    ],
    "STREETLIGHT": [
        (None, "Street lights not working",
         "Most street lights on the main road of {place} have not worked for a month; it is unsafe at night.",
         "स्ट्रीट लाइटें बंद पड़ी हैं",
         "{place} की मुख्य सड़क की ज़्यादातर स्ट्रीट लाइटें एक महीने से बंद हैं, रात में डर लगता है।"),
        (None, "Street light pole damaged",
         "A street light pole in {place} is bent and its wires are hanging low.",
         "स्ट्रीट लाइट का खंभा टूटा", "{place} में स्ट्रीट लाइट का खंभा झुक गया है और तार नीचे लटक रहे हैं।"),
        (None, "Street lights on all day",
         "The street lights in {place} stay on during the day as well, wasting electricity.",
         "दिन में भी जलती हैं लाइटें", "{place} में स्ट्रीट लाइटें दिन में भी जलती रहती हैं, बिजली बर्बाद हो रही है।"),
    ],
    "ROAD": [
        (None, "Potholes on the main road",
         "The road from {place} to the highway is full of potholes; two-wheelers often fall there.",
         "मुख्य सड़क पर गड्ढे", "{place} से हाईवे तक की सड़क गड्ढों से भरी है, दोपहिया वाहन अक्सर गिरते हैं।"),
        (None, "Road work left incomplete",
         "Work on the street in {place} was started six months ago and left halfway.",
         "सड़क का काम अधूरा छोड़ा", "{place} में गली का निर्माण छह महीने पहले शुरू होकर अधूरा छोड़ दिया गया।"),
        (None, "Broken road under water",
         "The road in {place} is broken and stays under water after rain.",
         "टूटी सड़क पर पानी भराव", "{place} की सड़क टूटी हुई है और बारिश के बाद पानी में डूबी रहती है।"),
    ],
    "ELECTRICITY": [
        (None, "Long power cuts",
         "{place} gets power for only a few hours a day, with long unannounced cuts.",
         "लंबी बिजली कटौती", "{place} में दिन में कुछ ही घंटे बिजली आती है, बिना सूचना लंबी कटौती होती है।"),
        (None, "Wrong electricity bill",
         "My electricity bill is far higher than my use; the meter in {place} was not read.",
         "गलत बिजली बिल", "मेरा बिजली बिल खपत से बहुत ज़्यादा आया है, {place} में मीटर रीडिंग नहीं ली गई।"),
        (None, "Transformer burnt out",
         "The transformer in {place} burnt out a week ago and has not been replaced.",
         "ट्रांसफ़ॉर्मर जल गया", "{place} का ट्रांसफ़ॉर्मर एक हफ़्ते पहले जल गया, अभी तक नहीं बदला गया।"),
    ],
    "RATION": [
        (None, "Ration not given at the depot",
         "The ration depot holder in {place} has not given us wheat for two months.",
         "डिपो पर राशन नहीं मिला", "{place} के राशन डिपो धारक ने दो महीने से हमें गेहूँ नहीं दिया।"),
        (None, "Names removed from ration card",
         "My family members' names were removed from our ration card. We live in {place}.",
         "राशन कार्ड से नाम कटे", "हमारे राशन कार्ड से परिवार के सदस्यों के नाम काट दिए गए, हम {place} में रहते हैं।"),
        (None, "Ration depot stays closed",
         "The ration depot in {place} opens only one or two days a month.",
         "राशन डिपो बंद रहता है", "{place} का राशन डिपो महीने में केवल एक-दो दिन खुलता है।"),
    ],
    "PENSION": [
        (None, "Old-age pension stopped",
         "My old-age pension has stopped for three months without any reason. I live in {place}.",
         "बुढ़ापा पेंशन बंद हो गई", "मेरी बुढ़ापा पेंशन तीन महीने से बिना कारण बंद है। मैं {place} में रहता हूँ।"),
        (None, "Widow pension not sanctioned",
         "I applied for a widow pension from {place} a year ago but it is not yet sanctioned.",
         "विधवा पेंशन मंज़ूर नहीं हुई",
         "मैंने {place} से एक साल पहले विधवा पेंशन के लिए आवेदन किया था, अभी तक मंज़ूर नहीं हुई।"),
        (None, "Disability pension not received",
         "My son's disability pension has not reached our bank account in four months.",
         "दिव्यांग पेंशन नहीं मिली", "मेरे बेटे की दिव्यांग पेंशन चार महीने से बैंक खाते में नहीं आई।"),
    ],
    "LAND": [
        (None, "Mutation pending for months",
         "The mutation (intkal) of land bought in {place} has been pending at the tehsil for months.",
         "महीनों से इंतकाल लंबित", "{place} में खरीदी ज़मीन का इंतकाल तहसील में महीनों से लंबित है।"),
        (None, "Error in the jamabandi",
         "My name is spelled wrong in the jamabandi of {place}; please correct the record.",
         "जमाबंदी में गलती", "{place} की जमाबंदी में मेरा नाम गलत दर्ज है, कृपया रिकॉर्ड ठीक करवाएँ।"),
        (None, "Demarcation not done",
         "I applied for demarcation of my field in {place} but the patwari has not come.",
         "ज़मीन की निशानदेही नहीं हुई", "{place} में खेत की निशानदेही के लिए आवेदन किया था, पटवारी नहीं आया।"),
    ],
    "ENCROACHMENT": [
        (None, "Encroachment on the pond land",
         "Some people have encroached on the panchayat pond land in {place}.",
         "जोहड़ की ज़मीन पर कब्ज़ा", "{place} में पंचायत के जोहड़ की ज़मीन पर कुछ लोगों ने कब्ज़ा कर लिया है।"),
        (None, "Common street blocked by a wall",
         "A neighbour has built a wall on the common street in {place}, blocking the way.",
         "रास्ते पर दीवार बनाकर कब्ज़ा", "{place} में पड़ोसी ने आम रास्ते पर दीवार बना दी है, आना-जाना बंद है।"),
        (None, "Shops occupying the footpath",
         "Shopkeepers in {place} have occupied the footpath and part of the road.",
         "फुटपाथ पर दुकानों का कब्ज़ा", "{place} में दुकानदारों ने फुटपाथ और सड़क के हिस्से पर कब्ज़ा कर रखा है।"),
    ],
    "POLICE": [
        (None, "FIR not registered",
         "I went to the police station about a theft in {place} but my FIR was not registered.",
         "एफ़आईआर दर्ज नहीं हुई", "{place} में हुई चोरी की शिकायत लेकर थाने गया, पर एफ़आईआर दर्ज नहीं की गई।"),
        (None, "Drugs sold openly",
         "Drugs are being sold openly near the bus stand in {place}.",
         "इलाके में नशा बिक रहा है", "{place} में बस अड्डे के पास खुलेआम नशा बेचा जा रहा है।"),
        (None, "Traffic jam every evening",
         "There is a heavy traffic jam near the market in {place} every evening and no police staff.",
         "रोज़ शाम को जाम", "{place} में बाज़ार के पास हर शाम भारी जाम लगता है, कोई पुलिसकर्मी नहीं रहता।"),
    ],
    "HEALTH": [
        (None, "No doctor at the health centre",
         "The primary health centre in {place} has had no doctor for weeks.",
         "स्वास्थ्य केंद्र में डॉक्टर नहीं", "{place} के प्राथमिक स्वास्थ्य केंद्र में कई हफ़्तों से डॉक्टर नहीं है।"),
        (None, "Free medicines not available",
         "Free medicines are not available at the health centre near {place}.",
         "दवाइयाँ उपलब्ध नहीं", "{place} के पास स्वास्थ्य केंद्र में मुफ़्त दवाइयाँ नहीं मिल रहीं।"),
        (None, "Ambulance came late",
         "We called 108 for a patient in {place} but the ambulance came two hours later.",
         "एम्बुलेंस देर से आई", "{place} में मरीज़ के लिए 108 पर फ़ोन किया, एम्बुलेंस दो घंटे बाद आई।"),
    ],
    "SCHOOL": [
        (None, "Teacher posts vacant",
         "The government school in {place} has only two teachers for all classes.",
         "शिक्षकों के पद खाली", "{place} के सरकारी स्कूल में सभी कक्षाओं के लिए केवल दो शिक्षक हैं।"),
        (None, "School building unsafe",
         "The roof of a classroom in the school of {place} is cracked and leaks.",
         "स्कूल भवन असुरक्षित", "{place} के स्कूल में एक कमरे की छत में दरारें हैं और पानी टपकता है।"),
        (None, "Scholarship not received",
         "My daughter's scholarship for last year has not been paid. We live in {place}.",
         "छात्रवृत्ति नहीं मिली", "मेरी बेटी की पिछले साल की छात्रवृत्ति नहीं मिली। हम {place} में रहते हैं।"),
    ],
    "FAMILY_ID": [
        (None, "Wrong income in the Family ID",
         "The income shown in our Parivar Pehchan Patra is wrong, so we lost our BPL benefits.",
         "परिवार पहचान पत्र में गलत आय", "हमारे परिवार पहचान पत्र में आय गलत दर्ज है, इससे बीपीएल लाभ बंद हो गए।"),
        (None, "Child not added to the PPP",
         "My newborn child has not been added to our Family ID even after a month.",
         "PPP में बच्चे का नाम नहीं जुड़ा", "एक महीने बाद भी मेरे नवजात बच्चे का नाम परिवार पहचान पत्र में नहीं जुड़ा।"),
        (None, "Wrong date of birth in the PPP",
         "My date of birth in the Family ID is wrong; the CSC in {place} could not correct it.",
         "PPP में जन्मतिथि गलत", "परिवार पहचान पत्र में मेरी जन्मतिथि गलत है, {place} के सीएससी से ठीक नहीं हुई।"),
    ],
    "IRRIGATION": [
        (None, "Canal water not reaching fields",
         "Water in the minor canal does not reach the tail-end fields of {place}.",
         "खेतों तक नहर का पानी नहीं पहुँचता", "{place} के टेल वाले खेतों तक माइनर नहर का पानी नहीं पहुँचता।"),
        (None, "Canal bank broken",
         "The canal bank near {place} is broken and water is flooding the fields.",
         "नहर का किनारा टूटा", "{place} के पास नहर का किनारा टूट गया है, खेतों में पानी भर रहा है।"),
        (None, "Watercourse not cleaned",
         "The watercourse in {place} is full of silt and has not been cleaned.",
         "खाल की सफ़ाई नहीं हुई", "{place} में खाल में गाद भरी है, सफ़ाई नहीं करवाई गई।"),
    ],
    "FARMING": [
        (None, "Crop loss compensation not paid",
         "Our mustard crop in {place} was damaged by hail but no compensation has been paid.",
         "फसल नुकसान का मुआवज़ा नहीं मिला", "{place} में ओलावृष्टि से सरसों की फसल खराब हुई, मुआवज़ा नहीं मिला।"),
        (None, "Crop insurance claim pending",
         "My crop insurance claim for the last season is still pending.",
         "फसल बीमा दावा लंबित", "पिछले सीज़न का मेरा फसल बीमा दावा अभी तक लंबित है।"),
        (None, "Fertiliser not available",
         "DAP fertiliser is not available at the cooperative society in {place}.",
         "खाद नहीं मिल रही", "{place} की सहकारी समिति में डीएपी खाद उपलब्ध नहीं है।"),
    ],
    "OTHER": [
        ("AHD", "Stray cattle on the roads",
         "Stray cattle roam the roads of {place} and cause accidents.",
         "सड़कों पर बेसहारा पशु", "{place} की सड़कों पर बेसहारा पशु घूमते हैं और हादसे होते हैं।"),
        ("TRANSPORT", "Buses do not stop",
         "Roadways buses do not stop at {place} even though there is a stop.",
         "बसें नहीं रुकतीं", "{place} में स्टॉप होने के बावजूद रोडवेज़ बसें नहीं रुकतीं।"),
        ("REV", "Certificate not issued",
         "My residence certificate application from {place} has been pending for two months.",
         "प्रमाण पत्र जारी नहीं हुआ", "{place} से रिहायशी प्रमाण पत्र का आवेदन दो महीने से लंबित है।"),
    ],
}

# How often each category is filed from a town and from a village: drains and lights are
# town matters, land, canals and crops village ones.
CATEGORY_WEIGHTS = {   # code: (town, village)
    "WATER": (14, 12), "SEWER": (10, 3), "SANITATION": (10, 2), "STREETLIGHT": (7, 2), "ROAD": (9, 7),
    "ELECTRICITY": (9, 9), "RATION": (5, 8), "PENSION": (5, 9), "LAND": (2, 10), "ENCROACHMENT": (4, 8),
    "POLICE": (7, 5), "HEALTH": (4, 4), "SCHOOL": (3, 4), "FAMILY_ID": (5, 6), "IRRIGATION": (0.2, 5),
    "FARMING": (0.5, 7), "OTHER": (4, 4),
}

LOCALITIES = {
    Language.ENGLISH: ["Gali No. 3", "Gali No. 7", "Near the bus stand", "Behind the grain market",
                       "Near the Shiv temple", "Near the government school", "Near the chaupal"],
    Language.HINDI: ["गली नं. 3", "गली नं. 7", "बस अड्डे के पास", "अनाज मंडी के पीछे",
                     "शिव मंदिर के पास", "सरकारी स्कूल के पास", "चौपाल के पास"],
}

# Short remarks officers leave on a plain status change, by the status it moves to. Rejections,
# directions, forwards and reports carry a code instead (lib.core.lifecycle.CaseEvent).
REMARKS = {
    Status.UNDER_SCRUTINY: (["Taken up for scrutiny"], ["जाँच हेतु लिया गया"]),
    Status.ACCEPTED: (["Documents verified", "Complaint found genuine"],
                      ["दस्तावेज़ सत्यापित", "शिकायत सही पाई गई"]),
    Status.HEARING_SCHEDULED: (["Hearing fixed before the DC"], ["उपायुक्त के समक्ष सुनवाई तय"]),
    Status.HEARD: (["DC directed the department to act within 15 days", "Report called from the department"],
                   ["उपायुक्त ने 15 दिन में कार्रवाई के निर्देश दिए", "विभाग से रिपोर्ट माँगी गई"]),
    Status.RESOLVED: (["Citizen confirmed by phone"], ["नागरिक ने फ़ोन पर पुष्टि की"]),
    Status.CLOSED: (["Closed after the citizen's feedback"], ["नागरिक की प्रतिक्रिया के बाद बंद"]),
}

# The seasons of Rewari's complaints: drains overflow and garbage rots in the monsoon (July to
# September); taps run dry and the power fails in the summer heat (April to June). Per season,
# by month: (months, how much more each category is filed then, how much busier the office is).
SEASONS = (
    ((4, 5, 6), {"WATER": 2.4, "ELECTRICITY": 2.2, "IRRIGATION": 1.4}, 1.15),
    ((7, 8, 9), {"SEWER": 2.8, "SANITATION": 2.2, "ROAD": 1.5, "HEALTH": 1.3}, 1.25),
)

# Where a department sends on what it finds is not its own (a sewer matter is the town's, a
# village road the panchayat's), as a forward.
FORWARD_TO = {
    "PHED": "ULB", "ULB": "PHED", "PWD": "DP", "DP": "PWD", "REV": "DP", "POWER": "ULB", "HOME": "REV",
    "FCS": "CRID", "SJE": "CRID", "CRID": "SJE", "IRR": "AGRI", "AGRI": "IRR", "HEALTH": "ULB",
    "SCHOOL": "PWD", "AHD": "DP", "TRANSPORT": "HOME",
}

# Median days a department takes to send its action taken report. Most report within the week
# the DC gives them; Public Works, Revenue and Agriculture are chronically late, as in many districts.
REPORT_DAYS = {
    "PHED": 2.5, "POWER": 2.0, "CRID": 2.5, "FCS": 3.0, "HEALTH": 3.5, "HOME": 4.0, "ULB": 5.0,
    "SCHOOL": 5.0, "TRANSPORT": 4.0, "SJE": 6.0, "AHD": 6.0, "DP": 8.0, "IRR": 7.0,
    "AGRI": 9.5, "PWD": 11.0, "REV": 12.0,
}
USUAL_REPORT_DAYS = 5.0

# The DC's directions and the departments' reports, in the complaint's language (English, Hindi).
INSTRUCTIONS = (
    ["Inspect the site and solve the problem; report what was done.",
     "Verify the citizen's claim and act under the rules; report within the time given.",
     "Send a responsible officer to the spot and report with photographs."],
    ["मौके का निरीक्षण कर समस्या दूर करें और की गई कार्रवाई की रिपोर्ट दें।",
     "नागरिक के दावे की जाँच कर नियमानुसार कार्रवाई करें, तय समय में रिपोर्ट दें।",
     "ज़िम्मेदार अधिकारी को मौके पर भेजें और फ़ोटो सहित रिपोर्ट दें।"],
)
REPORTS = (
    ["Site inspected; the work has been completed and the citizen informed.",
     "The fault was repaired by the field staff; the supply is restored.",
     "Record corrected after verification; a copy was given to the citizen."],
    ["मौके का निरीक्षण किया गया, कार्य पूरा कर नागरिक को सूचित किया गया।",
     "फ़ील्ड स्टाफ़ द्वारा खराबी ठीक कर दी गई, आपूर्ति बहाल है।",
     "जाँच के बाद रिकॉर्ड ठीक किया गया, प्रति नागरिक को दी गई।"],
)
# Why the office called a hearing off (internal, never shown to the citizen).
CANCEL_REASONS = ["DC called to a meeting at Chandigarh", "Hearing day declared a holiday",
                  "Department's officer on election duty"]
