"""Each kind of personal data is found in the formats people write it, and look-alikes are not."""

import pytest

from panel.core.anonymise import find

FOUND = [
    # Names: titled, full, from many communities, alone with context.
    ("Mr Patel said he was scared.", "Mr Patel", "NAME"),
    ("She told Mrs O'Connor about it.", "Mrs O'Connor", "NAME"),
    ("PC Jones attended.", "PC Jones", "NAME"),
    ("DC Smith took the statement.", "DC Smith", "NAME"),
    ("Seen by Dr Okafor.", "Dr Okafor", "NAME"),
    ("Detective Sergeant Khan reviewed it.", "Detective Sergeant Khan", "NAME"),
    ("Collar number: PC 4521 Evans.", "PC 4521 Evans", "NAME"),
    ("Inspector Begum authorised NFA.", "Inspector Begum", "NAME"),
    ("The victim, Mohammed Al-Hassan, was hit.", "Mohammed Al-Hassan", "NAME"),
    ("Agnieszka Kowalska reported it.", "Agnieszka Kowalska", "NAME"),
    ("Witness Chidi Okonkwo saw it.", "Chidi Okonkwo", "NAME"),
    ("Siobhan Murphy called.", "Siobhan Murphy", "NAME"),
    ("A neighbour, Wei Zhang, heard shouting.", "Wei Zhang", "NAME"),
    ("Abdi Warsame was pushed.", "Abdi Warsame", "NAME"),
    ("Aisha said the man spat at her.", "Aisha", "NAME"),
    ("A man named Tobiah shouted.", "Tobiah", "NAME"),
    ("Her son Uchendu was threatened.", "Uchendu", "NAME"),
    ("Grace Adeyemi was verbally abused.", "Grace Adeyemi", "NAME"),
    ("Victoria said she was frightened.", "Victoria", "NAME"),
    ("Mohammed bin Salim reported it.", "Mohammed bin Salim", "NAME"),
    ("Dean Arkwright was the keeper.", "Dean Arkwright", "NAME"),
    ("THE DEFENDANT JORDAN SMITH WAS CHARGED.", "JORDAN SMITH", "NAME"),
    ("Semhar Ward gave a statement.", "Semhar Ward", "NAME"),
    # Addresses.
    ("He lives at 14 Acacia Avenue, Coventry.", "14 Acacia Avenue", "ADDRESS"),
    ("She lives at Flat 3, 22 Foleshill Road.", "Flat 3, 22 Foleshill Road", "ADDRESS"),
    ("The shop at 45a High Street was damaged.", "45a High Street", "ADDRESS"),
    ("Abuse on Stoney Stanton Road.", "Stoney Stanton Road", "ADDRESS"),
    ("The flat at 7 Cherry Tree Close.", "7 Cherry Tree Close", "ADDRESS"),
    ("Moved to Flat 6, Meridian House.", "Flat 6, Meridian House", "ADDRESS"),
    ("Address given as 12 ST MARY'S ROAD.", "12 ST MARY'S ROAD", "ADDRESS"),
    # Postcodes.
    ("Coventry CV6 5AB.", "CV6 5AB", "POSTCODE"),
    ("Birmingham B11 1AA.", "B11 1AA", "POSTCODE"),
    ("London SW1A 1AA.", "SW1A 1AA", "POSTCODE"),
    ("London EC1A 1BB.", "EC1A 1BB", "POSTCODE"),
    ("Postcode WV109TG.", "WV109TG", "POSTCODE"),
    # Phone numbers, including Ofcom's drama ranges and international numbers.
    ("Call 07700 900123.", "07700 900123", "PHONE"),
    ("Mobile 07700900456.", "07700900456", "PHONE"),
    ("Landline 0121 496 0123.", "0121 496 0123", "PHONE"),
    ("Landline (024) 7655 1234.", "(024) 7655 1234", "PHONE"),
    ("Landline 01632 960123.", "01632 960123", "PHONE"),
    ("Mobile +44 7700 900123.", "+44 7700 900123", "PHONE"),
    ("Office +44 (0)24 7655 1234.", "+44 (0)24 7655 1234", "PHONE"),
    ("Her brother in Poland is on +48 601 234 567.", "+48 601 234 567", "PHONE"),
    ("Text 07912 345678 now.", "07912 345678", "PHONE"),
    # E-mail.
    ("Email j.smith99@gmail.com please.", "j.smith99@gmail.com", "EMAIL"),
    ("From s.okafor@wmp-partners.co.uk.", "s.okafor@wmp-partners.co.uk", "EMAIL"),
    # Dates of birth.
    ("DOB 12/03/1990.", "12/03/1990", "DOB"),
    ("She was born on 4 May 1987.", "4 May 1987", "DOB"),
    ("Date of birth: 3rd March 1975.", "3rd March 1975", "DOB"),
    ("D.O.B. 01.02.88, male.", "01.02.88", "DOB"),
    ("Connor Whitfield (08/11/1996) was arrested.", "08/11/1996", "DOB"),
    # Exact dates.
    ("On 12/03/2025 at 14:30.", "12/03/2025", "DATE"),
    ("On 12.03.25 the victim.", "12.03.25", "DATE"),
    ("Seen on 3rd March 2025.", "3rd March 2025", "DATE"),
    ("Seen on March 3, 2025.", "March 3, 2025", "DATE"),
    ("Logged 2025-03-12.", "2025-03-12", "DATE"),
    ("It happened on Tuesday 4th.", "Tuesday 4th", "DATE"),
    ("It happened on the 14th.", "14th", "DATE"),
    ("Reported on the 22nd of September.", "22nd of September", "DATE"),
    ("Interviewed on 17/01/25.", "17/01/25", "DATE"),
    ("Seen on 12 Mar 2025.", "12 Mar 2025", "DATE"),
    ("Seen on 12/03 by officers.", "12/03", "DATE"),
    # Crime and incident references, CPS URNs.
    ("Crime number 20/123456/25.", "20/123456/25", "CRIME_REF"),
    ("Ref CRI-2025-001234.", "CRI-2025-001234", "CRIME_REF"),
    ("Crime number 43/12345/24.", "43/12345/24", "CRIME_REF"),
    ("See log 1234 of 12/03/2025.", "log 1234 of 12/03/2025", "CRIME_REF"),
    ("URN 20BX1234524.", "20BX1234524", "CRIME_REF"),
    ("URN 20 BX 12345 24.", "20 BX 12345 24", "CRIME_REF"),
    ("Occurrence number OB/12345/25.", "OB/12345/25", "CRIME_REF"),
    ("Action Fraud NFRC250312345678.", "NFRC250312345678", "CRIME_REF"),
    ("Niche ref 20VIC123456.", "20VIC123456", "CRIME_REF"),
    # National Insurance numbers.
    ("NI QQ 12 34 56 C.", "QQ 12 34 56 C", "NI_NUMBER"),
    ("His number is AB123456C.", "AB123456C", "NI_NUMBER"),
    ("NINO JT 48 21 93 B on file.", "JT 48 21 93 B", "NI_NUMBER"),
    # NHS numbers (valid modulus 11 check digit, or with "NHS number" before them).
    ("Patient 943 476 5919.", "943 476 5919", "NHS_NUMBER"),
    ("Patient 9434765919.", "9434765919", "NHS_NUMBER"),
    ("NHS number 485 777 3456.", "485 777 3456", "NHS_NUMBER"),
    # Vehicle registrations: current, prefix, suffix and with a cue.
    ("Silver Ford Focus AB12 CDE.", "AB12 CDE", "VEHICLE_REG"),
    ("Car FE19XRT seen.", "FE19XRT", "VEHICLE_REG"),
    ("Transit R482 KJV.", "R482 KJV", "VEHICLE_REG"),
    ("Old Mini ABC 123D.", "ABC 123D", "VEHICLE_REG"),
    ("Registration number 1 ABC.", "1 ABC", "VEHICLE_REG"),
    # Social media handles.
    ("Messages from @jay_k99.", "@jay_k99", "SOCIAL_HANDLE"),
    ("Snapchat username kaz_x.2005 sent them.", "kaz_x.2005", "SOCIAL_HANDLE"),
    # Personal profile URLs.
    (
        "Posted at https://www.facebook.com/jay.k.99 today.",
        "https://www.facebook.com/jay.k.99",
        "URL",
    ),
    ("See facebook.com/jay.k.99.", "facebook.com/jay.k.99", "URL"),
    ("Video at https://www.tiktok.com/@wyken_lads.", "https://www.tiktok.com/@wyken_lads", "URL"),
    ("Profile x.com/brumlad88.", "x.com/brumlad88", "URL"),
    (
        "CV at https://www.linkedin.com/in/jane-doe-12345.",
        "https://www.linkedin.com/in/jane-doe-12345",
        "URL",
    ),
    # IP addresses.
    ("IP 192.168.1.20 at 02:14.", "192.168.1.20", "IP_ADDRESS"),
    ("IPv6 2001:db8::1 logged.", "2001:db8::1", "IP_ADDRESS"),
]

NOT_FOUND = [
    "West Midlands Police, the CPS, Tell MAMA, Community Security Trust and Victim Support met.",
    "Coventry City Council and Coventry LGBT+ Centre ran a joint session.",
    "The officer in the case and the District Crown Prosecutor reviewed the file.",
    "The Inspector authorised the decision; PC attended later.",
    "Incidents in Coventry, Dudley, Birmingham, Wolverhampton, Walsall, Sandwell and Solihull.",
    "Birmingham East NPU and Coventry NPU shared the case.",
    "The case was finalised in March 2025 and reviewed in 03/2025.",
    "Crime and Disorder Act 1998 s.29 and Public Order Act 1986 s.4A were considered.",
    "Sentencing Act 2020 s.66 and Communications Act 2003 s.127 applied.",
    "Outcome OC1, outcome 15 and OC16 were recorded.",
    "The victim, Suspect 1, Witness A, V1 and S2 were all present.",
    "Race, religion or belief, sexual orientation, disability and transgender identity strands.",
    "Violence without injury, public order, harassment and malicious communications offences.",
    "The victim is aged 25-34 and the suspect is in his 40s.",
    "At 14:30 the victim called 101; an hour later she called 999.",
    "He was fined £250 and ordered to pay £85 costs and a £114 surcharge.",
    "He received 12 weeks' custody suspended for 18 months, with 80 hours' unpaid work.",
    "The panel reviewed 6 of 24 cases; 4/5 were race hate crimes; support is 24/7.",
    "Between 2019 and 2024 recorded hate crime rose by 18% in the force area.",
    "The hearing was at Coventry Magistrates' Court and then Birmingham Crown Court.",
    "Hope Not Hate and the Anne Frank Trust ran assemblies; Stephen Lawrence Day was marked.",
    "Cartoons of the Prophet Muhammad were posted near St Mary's church.",
    "Report online at www.report-it.org.uk or https://www.tellmama.org.uk.",
    "Guidance at https://www.cps.gov.uk/crime-info/hate-crime was shared.",
    "Follow @WMPolice and @CPSUK for updates.",
    "Paragraph 4.14 of the Code, version 2.1.3 of the form, Q3 2024/25 figures.",
    "Grace period of 28 days; will be reviewed; May 2025 meeting; hope to close.",
    "Officers searched the Ring Road and the High Street.",
    "She was called a 'terrorist' and told to go back to Pakistan.",
    "The Victims' Code and the Equality Act 2010 were discussed at Lloyd House.",
]


@pytest.mark.parametrize(("text", "expected", "kind"), FOUND)
def test_personal_data_is_found(text, expected, kind):
    found = {(f.text, f.kind) for f in find(text)}
    assert (expected, kind) in found, found


@pytest.mark.parametrize("text", NOT_FOUND)
def test_look_alikes_are_not_flagged(text):
    assert find(text) == []


@pytest.mark.parametrize("number", ["943 476 5918", "123 456 7890"])
def test_nhs_numbers_need_a_valid_check_digit_without_context(number):
    assert "NHS_NUMBER" not in {f.kind for f in find(f"Reference {number} on the form.")}


@pytest.mark.parametrize("number", ["DQ123456A", "GB123456A", "AO123456B"])
def test_ni_numbers_with_prefixes_hmrc_never_issues_are_not_flagged(number):
    assert find(f"Code {number} printed on the leaflet.") == []


def test_organisation_homepages_are_kept_but_profiles_are_not():
    text = "See https://www.stonewall.org.uk and https://www.instagram.com/dk.ends_boyz/ today."
    assert [f.text for f in find(text)] == ["https://www.instagram.com/dk.ends_boyz/"]
