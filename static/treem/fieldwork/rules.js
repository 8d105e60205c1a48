// The measurement checks of treem.nutrition.checks, applied in the browser from the same definition
// (MEASUREMENT_RULES, served at /thuc-dia/quy-tac.json): blocking errors by field, then the warnings on the scores.

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

function toFixedHalfEven(value, decimals) {
  const scale = 10 ** decimals;
  const scaled = value * scale;
  const floor = Math.floor(scaled);
  if (scaled - floor === 0.5) {
    return ((floor % 2 === 0 ? floor : floor + 1) / scale).toFixed(decimals);
  }
  return value.toFixed(decimals);
}

// A number the Vietnamese way, as checks.format_number: decimal comma, dot between thousands, a real minus sign.
export function formatNumber(value, decimals = 1) {
  const [whole, fraction] = toFixedHalfEven(Math.abs(value), decimals).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  const text = fraction === undefined ? grouped : `${grouped},${fraction}`;
  const isNonZero = /[1-9]/.test(text);
  return (value < 0 && isNonZero ? "−" : "") + text;
}

export function formatDate(iso) {
  const [year, month, day] = iso.split("-");
  return `${day}/${month}/${year}`;
}

// A typed number ("12,5", "12.5", " 12 ") as checks.parse_decimal, rounded to two places; errors as the server's.
export function parseDecimal(text) {
  let raw = (text || "").trim().replace(/ /g, "");
  if (!raw) return { value: null, error: null };
  if ((raw.match(/,/g) || []).length === 1 && !raw.includes(".")) raw = raw.replace(",", ".");
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) {
    return { value: null, error: `'${text}' không phải là một số.` };
  }
  return { value: Math.round(Number(raw) * 100) / 100, error: null };
}

function rangeError(value, rule, messages) {
  if (value === null) return null;
  if (value <= rule.minimum_exclusive) return fill(messages.not_positive, { label: rule.label });
  if (value > rule.maximum) {
    return fill(messages.over_maximum, {
      label: rule.label, value: formatNumber(value), unit: rule.unit, maximum: formatNumber(rule.maximum, 0),
    });
  }
  return null;
}

// values: {measured_on (ISO), weight_kg, length_cm (numbers or null), position, has_oedema}
export function valueErrors(rules, values, { birthDate, today }) {
  const definition = rules.errors;
  const messages = rules.messages;
  const errors = {};
  const weight = rangeError(values.weight_kg, definition.weight_kg, messages);
  if (weight) errors.weight_kg = weight;
  const length = rangeError(values.length_cm, definition.length_cm, messages);
  if (length) errors.length_cm = length;
  if (values.weight_kg === null && values.length_cm === null && Object.keys(errors).length === 0) {
    errors.weight_kg = messages.nothing_measured;
  }
  if (!definition.positions.includes(values.position)) errors.position = messages.bad_position;
  if (values.measured_on > today) {
    errors.measured_on = fill(messages.in_future, { measured_on: formatDate(values.measured_on) });
  } else if (values.measured_on < birthDate) {
    errors.measured_on = fill(messages.before_birth, {
      measured_on: formatDate(values.measured_on), birth_date: formatDate(birthDate),
    });
  }
  return errors;
}

export function scoreWarnings(rules, scores, values) {
  const messages = rules.messages;
  const warnings = [];
  for (const rule of rules.scores) {
    const score = scores[rule.name];
    if (scores[`flag_${rule.name}`] && score !== null) {
      warnings.push(fill(messages.flagged_score, {
        label: rule.label, score: formatNumber(score, 2), low: formatNumber(rule.range[0], 0),
        high: formatNumber(rule.range[1], 0), what: rule.what,
      }));
    }
  }
  if (scores.position_implausible) {
    warnings.push(fill(messages.standing_too_young, { months: rules.earliest_standing_months.toFixed(0) }));
  }
  if (values.length_cm !== null && !values.position) warnings.push(messages.no_position);
  return warnings;
}
