"""Translated names and one-sentence explanations of every report figure (page, exports)."""
from __future__ import annotations

from caseflow.translation import lazy_gettext as _l

OUTPUT_LABELS = {
    "total": _l("All participants"),
    "unemployed": _l("Unemployed (long-term unemployed included)"),
    "long_term_unemployed": _l("Long-term unemployed"),
    "inactive": _l("Inactive (in education or training included)"),
    "employed": _l("Employed (self-employed included)"),
    "below_18": _l("Aged under 18"),
    "age_18_29": _l("Aged 18 to 29"),
    "age_55_plus": _l("Aged 55 or more"),
    "isced_0_2": _l("ISCED level 0 to 2"),
    "isced_3_4": _l("ISCED level 3 or 4"),
    "isced_5_8": _l("ISCED level 5 to 8"),
    "disability": _l("With a disability"),
    "third_country_national": _l("Third-country nationals"),
    "foreign_background": _l("With a foreign background"),
    "minority": _l("Belonging to a minority"),
    "homeless": _l("Homeless or affected by housing exclusion"),
}

OUTPUT_HELP = {
    "total": _l("Everyone whose first entry lies in the period; equals unemployed + inactive + employed."),
    "unemployed": _l("Status at entry (the first record of the status history) is unemployed."),
    "long_term_unemployed": _l("Unemployed at entry and the unemployment began before the date the chosen rule names (see the rule above)."),
    "inactive": _l("Status at entry is inactive or in education or training."),
    "employed": _l("Status at entry is employed or self-employed."),
    "below_18": _l("Age at entry (completed years on the entry date) under 18."),
    "age_18_29": _l("Age at entry from 18 to 29."),
    "age_55_plus": _l("Age at entry 55 or more."),
    "isced_0_2": _l("Highest education at ISCED level 0, 1 or 2; an unknown level is in no ISCED row but in the total."),
    "isced_3_4": _l("Highest education at ISCED level 3 or 4."),
    "isced_5_8": _l("Highest education at ISCED level 5 to 8."),
    "disability": _l("Recorded as having a disability."),
    "third_country_national": _l("Not a citizen of an EU member state; stateless persons included."),
    "foreign_background": _l("Recorded as having a foreign background."),
    "minority": _l("Recorded as belonging to a minority."),
    "homeless": _l("Recorded as homeless or affected by housing exclusion."),
}

RESULT_LABELS = {
    "job_searching_upon_leaving": _l("Job searching upon leaving"),
    "education_or_training_upon_leaving": _l("In education or training upon leaving"),
    "qualification_upon_leaving": _l("Gained a qualification upon leaving"),
    "employed_upon_leaving": _l("In employment upon leaving (self-employment included)"),
    "employed_six_months_after": _l("In employment six months after leaving (self-employment included)"),
    "improved_situation_six_months_after": _l("Improved labour-market situation six months after leaving"),
}

RESULT_HELP = {
    "job_searching_upon_leaving": _l("Inactive or in education or training at entry, and unemployed upon leaving."),
    "education_or_training_upon_leaving": _l("Not in education or training at entry, and in education or training upon leaving."),
    "qualification_upon_leaving": _l("A certificate dated from the entry date to exit + 28 days, both included."),
    "employed_upon_leaving": _l("Unemployed or inactive (education or training included) at entry, and employed or self-employed upon leaving."),
    "employed_six_months_after": _l("The latest six-month follow-up (dated on or after the final exit) records employed or self-employed."),
    "improved_situation_six_months_after": _l("Employed or self-employed at entry, and the latest six-month follow-up records an improved situation."),
}

ESF_RULES = (
    (_l("Period"), _l("Outputs count participants whose entry date lies in the period; results count participants whose final exit date lies in it (both days included). A participant who re-entered and has not left again has no final exit. Each participant counts at most once per indicator.")),
    (_l("Entry"), _l("Output data refer to the first entry; a re-entry does not make a new participant. Age at entry is the completed years on the entry date.")),
    (_l("Status on a day"), _l("The latest status record dated on or before that day; of two records on the same day, the one recorded last. The entry status is the first record; a placement of type employment, marginal employment or apprenticeship adds employed on its start date, self-employment adds self-employed.")),
    (_l("Status upon leaving"), _l("The status on the final exit date + 28 days (the 4-week reference period); when several events fall in that window only the last counts.")),
    (_l("Long-term unemployment, rule eu"), _l("Unemployed at entry, and the unemployment began strictly before the date 6 calendar months before entry (under 25 at entry) or 12 calendar months before entry (25 or older).")),
    (_l("Long-term unemployment, rule de"), _l("Unemployed at entry, and the unemployment began on or before the date 12 calendar months before entry (§ 18 SGB III, no age split).")),
    (_l("Calendar months"), _l("The date N calendar months before a day has that day's day of the month, or the month's last day where it has no such day (2024-03-31 minus 1 month is 2024-02-29).")),
    (_l("Six-month follow-up"), _l("The latest six-month follow-up dated on or after the final exit counts. Without one, or when the person could not be reached, a participant counts in neither longer-term row: an unknown outcome is never negative and never positive.")),
    (_l("Breakdown"), _l("Female, male, non-binary and total; the total also counts participants whose gender is not stated. Restricted cases (GDPR Art. 18) are left out; anonymised cases stay with the same figures.")),
    (_l("Minimum participation"), _l("With a minimum of hours, only participants with at least that many hours of participation count, in outputs and results alike: hours recorded on their enrolments, at attendance sessions they were present at, and in their notes.")),
    (_l("Not reported"), _l("Participants from rural areas (Annex I, point 1.2): Caseflow records the Berlin borough of residence, not the municipality, so the degree of urbanisation (DEGURBA) cannot be determined. All of Berlin is a city (DEGURBA 1).")),
)

BREAKDOWN_LABELS = {"female": _l("Female"), "male": _l("Male"), "non_binary": _l("Non-binary"),
                    "total": _l("Total")}
LTU_RULE_SHORT = {"eu": _l("EU definition of long-term unemployment"),
                  "de": _l("German definition of long-term unemployment (§ 18 SGB III)")}
LTU_RULE_LABELS = {"eu": _l("eu – EU definition (over 6 months under 25, over 12 months from 25)"),
                   "de": _l("de – German definition, § 18 SGB III (one year and longer)")}

DIMENSION_LABELS = {
    "measure_type": _l("Measure type"),
    "organisation": _l("Organisation"),
    "gender": _l("Gender"),
    "age_band": _l("Age at entry"),
    "nationality_group": _l("Nationality: EU or third country"),
    "country": _l("Nationality: main countries"),
    "residence_status": _l("Residence status"),
    "german_level": _l("German level"),
}

# Sheet names where the label has more than Excel's 31 characters in some language.
DIMENSION_SHEET_LABELS = {
    "nationality_group": _l("EU or third country"),
    "country": _l("Main nationalities"),
}

METRIC_LABELS = {
    "participants": _l("Participants active"),
    "entered": _l("Entered"),
    "exited": _l("Exited"),
    "placed_exits": _l("Exits with a placement"),
    "placement_rate": _l("Placement rate"),
}

SUMMARY_LABELS = {
    "participants_active": _l("Participants active in the period"),
    "entered": _l("Entered in the period"),
    "exited": _l("Exited in the period (final exit)"),
    "placed_exits": _l("Exits with a job, apprenticeship or self-employment"),
    "placement_rate": _l("Placement rate"),
    "median_days_to_first_placement": _l("Median days from entry to first placement"),
    "six_month_follow_ups_known": _l("Placed exits with a six-month follow-up that reached the person"),
    "still_placed_at_six_months": _l("Of those, still employed or self-employed"),
    "still_placed_share": _l("Share still placed at the six-month follow-up"),
}

PLACEMENT_DEFINITIONS = (
    _l("Participants active: entered on or before the end of the period and not finally exited before its start."),
    _l("Placement rate: exits in the period with a placement of type employment, marginal employment, self-employment or apprenticeship starting from the entry date to exit + 28 days, over all exits in the period. Internships do not count as a placement here."),
    _l("Median days to first placement: from entry to the first such placement on or after entry, for participants whose first such placement started in the period."),
    _l("Still placed at six months: of the placed exits whose latest six-month follow-up reached the person, those employed or self-employed then."),
    _l("Measure filters and the measure-type breakdown use enrolments that were not cancelled; a participant counts once in each measure type."),
)
SMALL_CELL_NOTE = _l("Groups of fewer than 5 participants are shown as “< 5” so that nobody can be recognised from a small group.")

COMPLETENESS_LABELS = {
    "no_isced": _l("No ISCED level"),
    "unemployed_without_start": _l("Unemployed without the date the unemployment began"),
    "no_four_week_status": _l("Exit without a 4-week status"),
    "follow_up_overdue": _l("Six-month follow-up overdue"),
    "declined_answer": _l("Declined to answer a sensitive question"),
}
COMPLETENESS_HELP = {
    "no_isced": _l("The highest education (ISCED level) is not recorded."),
    "unemployed_without_start": _l("Unemployed at entry, but the start of the unemployment is missing: long-term unemployment cannot be decided."),
    "no_four_week_status": _l("Finally exited more than 28 days ago, with no status record from the exit date to exit + 28 days and no four-week follow-up."),
    "follow_up_overdue": _l("Finally exited more than 6 calendar months and 30 days ago, with no six-month follow-up."),
    "declined_answer": _l("Declined to say whether they have a disability, belong to a minority, have a foreign background or are homeless; the ESF+ report counts only “yes”."),
}
