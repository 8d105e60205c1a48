// WHO 2006 z-scores in the browser: the same rules as treem/nutrition/zscores.py (docs/zscores.md), one row at a
// time, over the LMS tables and constants the server serves (/thuc-dia/bang-who.json). The convention is the
// current `anthro` package's (the server's default).

const ON_ROW_TOLERANCE_TENTHS = 1e-6;

function isNumber(value) {
  return typeof value === "number" && Number.isFinite(value);
}

export function roundHalfAwayFromZero(value) {
  const hundredths = Math.abs(value) * 100;
  const whole = Math.floor(hundredths);
  const rounded = whole + (hundredths - whole >= 0.5 ? 1 : 0);
  return (Math.sign(value) || 1) * rounded / 100 + 0;
}

function lmsZscore(y, l, m, s, restricted) {
  let z = (Math.pow(y / m, l) - 1) / (s * l);
  if (!restricted) return z;
  for (const side of [1, -1]) {
    if (z * side > 3) {
      const sd3 = m * Math.pow(1 + l * s * 3 * side, 1 / l);
      const sd2 = m * Math.pow(1 + l * s * 2 * side, 1 / l);
      // Beyond ±3 SD the distance is counted in units of the gap between the 2 SD and 3 SD curves.
      z = side * 3 + (y - sd3) / ((sd3 - sd2) * side);
    }
  }
  return z;
}

function flagged(score, range) {
  return score === null ? null : score < range[0] || score > range[1];
}

// sex: 1 boy, 2 girl, other unknown; ageDays: number or null; position: "L", "H" or ""; oedema: boolean.
export function computeZscores(reference, { sex, ageDays, weightKg, lengthCm, position, oedema }) {
  const c = reference.constants;
  const tables = reference.tables;
  const sexKey = sex === 1 ? "1" : sex === 2 ? "2" : null;
  const weight = isNumber(weightKg) ? weightKg : NaN;
  const length = isNumber(lengthCm) ? lengthCm : NaN;
  const ageGiven = isNumber(ageDays);
  const ageKnown = ageGiven && ageDays >= 0;
  const safeAge = ageKnown ? ageDays : 0;
  const ageMonths = safeAge / c.days_per_month;
  let ageInRange = ageKnown && safeAge < c.last_table_day + 0.5 && ageMonths < c.age_limit_months;
  const inRangeAge = ageInRange ? safeAge : 0;
  const wholeDays = Math.floor(inRangeAge);
  const tableDay = wholeDays + (inRangeAge - wholeDays >= 0.5 ? 1 : 0);

  let isStanding = position === "H";
  const isRecumbent = position === "L";
  const positionImplausible = ageKnown && isStanding && ageMonths < c.earliest_standing_months;
  isStanding = isStanding && !positionImplausible;
  const positionUnknown = !isStanding && !isRecumbent;

  const beforeSwitch = ageKnown && safeAge < c.length_height_switch_day - 0.5;
  const fromSwitch = ageKnown && !beforeSwitch;
  let adjusted = length
    + c.position_adjustment_cm * (beforeSwitch && isStanding ? 1 : 0)
    - c.position_adjustment_cm * (fromSwitch && isRecumbent ? 1 : 0);
  const tenths = adjusted * 10;
  const nearestTenth = Math.round(tenths);  // rint: exact halves do not occur after the tolerance check below
  const onRow = Math.abs(tenths - nearestTenth) <= ON_ROW_TOLERANCE_TENTHS;
  if (onRow) adjusted = nearestTenth / 10;

  let haz = null;
  if (sexKey && ageInRange && adjusted > 0) {
    const t = tables.length_for_age[sexKey];
    haz = roundHalfAwayFromZero(lmsZscore(adjusted, t.l[tableDay], t.m[tableDay], t.s[tableDay], false));
  }
  let waz = null;
  if (sexKey && ageInRange && weight > 0 && !oedema) {
    const t = tables.weight_for_age[sexKey];
    waz = roundHalfAwayFromZero(lmsZscore(weight, t.l[tableDay], t.m[tableDay], t.s[tableDay], true));
  }

  const noAge = !ageGiven;
  const usesLengthTable = beforeSwitch || (noAge && isRecumbent)
    || (noAge && positionUnknown && adjusted < c.no_age_length_cutoff_cm);
  const usesHeightTable = fromSwitch || (noAge && isStanding)
    || (noAge && positionUnknown && adjusted >= c.no_age_length_cutoff_cm);
  const [lengthLow, lengthHigh] = c.length_table_range_cm;
  const [heightLow, heightHigh] = c.height_table_range_cm;
  const inTableRange = (usesLengthTable && adjusted >= lengthLow && adjusted <= lengthHigh)
    || (usesHeightTable && adjusted >= heightLow && adjusted <= heightHigh);
  let whz = null;
  if (sexKey && weight > 0 && !oedema && inTableRange && (noAge || ageInRange)) {
    const t = usesLengthTable ? tables.weight_for_length[sexKey] : tables.weight_for_height[sexKey];
    const firstTenth = Math.round((usesLengthTable ? lengthLow : heightLow) * 10);
    const lowerTenth = onRow ? nearestTenth : Math.floor(tenths);
    const fraction = onRow ? 0 : (adjusted - lowerTenth / 10) / 0.1;
    const lower = lowerTenth - firstTenth;
    const upper = lower + (fraction > 0 ? 1 : 0);
    const at = (column) => column[lower] + fraction * (column[upper] - column[lower]);
    whz = roundHalfAwayFromZero(lmsZscore(weight, at(t.l), at(t.m), at(t.s), true));
  }
  const ranges = c.flag_ranges;
  return {
    waz, haz, whz,
    flag_waz: flagged(waz, ranges.waz),
    flag_haz: flagged(haz, ranges.haz),
    flag_whz: flagged(whz, ranges.whz),
    adjusted_length_cm: Number.isNaN(adjusted) ? null : Math.round(adjusted * 100) / 100,
    position_implausible: positionImplausible,
  };
}

// The age in days for WHO's tables, as treem.nutrition.models.age_in_days: exact for a birth date known to the
// day, from the 15th for one known to the month, unknown (null) for one known only to the year.
export function ageInDays(reference, birthDate, precision, measuredOn) {
  if (precision === "year") return null;
  const born = new Date(birthDate + "T00:00:00Z");
  if (precision === "month") born.setUTCDate(born.getUTCDate() + reference.constants.month_precision_day_offset);
  const on = new Date(measuredOn + "T00:00:00Z");
  return Math.round((on - born) / 86400000);
}
