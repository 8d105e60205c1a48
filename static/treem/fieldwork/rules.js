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

// Today's date (YYYY-MM-DD) in the province's time zone (the server's TIME_ZONE, in the bundle), not the UTC date
// of toISOString: before 7 a.m. in Vietnam the UTC date is still yesterday. Without a usable zone, the device's date.
export function todayIn(timeZone, now = new Date()) {
  try {
    const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", {
      timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(now)
      .map((part) => [part.type, part.value]));
    return `${parts.year}-${parts.month}-${parts.day}`;
  } catch {
    const pad = (number) => String(number).padStart(2, "0");
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  }
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

// The warnings against the child's previous measurement (checks._change_warnings): previous is
// {measured_on, weight_kg, waz, adjusted_length_cm} as the bundle gives it.
export function changeWarnings(rules, values, scores, previous) {
  const messages = rules.messages;
  const limits = rules.changes;
  const warnings = [];
  const when = fill(messages.previous, { measured_on: formatDate(previous.measured_on) });
  const days = Math.round((Date.parse(values.measured_on) - Date.parse(previous.measured_on)) / 86400000);
  const previousWeight = previous.weight_kg === null ? null : Number(previous.weight_kg);
  const previousWaz = previous.waz === null ? null : Number(previous.waz);
  if (values.weight_kg !== null && previousWeight !== null && previousWeight > 0) {
    const change = Math.round((values.weight_kg - previousWeight) * 100) / 100;
    const share = change / previousWeight;
    if (share < -limits.max_weight_loss_share) {
      warnings.push(fill(messages.weight_loss, { change: formatNumber(-change), share: formatNumber(-share * 100, 0),
        when, previous_weight: formatNumber(previousWeight) }));
    } else if (scores.waz !== null && previousWaz !== null && !scores.flag_waz) {
      const wazChange = scores.waz - previousWaz;
      if (Math.abs(wazChange) > limits.max_waz_change) {
        warnings.push(fill(messages.waz_change, { change: formatNumber(wazChange, 2), when,
          previous_weight: formatNumber(previousWeight), previous_waz: formatNumber(previousWaz, 2) }));
      }
    } else if (scores.waz === null && days >= 0 && days <= limits.weight_gain_window_days
      && share > limits.max_weight_gain_share) {
      warnings.push(fill(messages.weight_gain, { change: formatNumber(change), share: formatNumber(share * 100, 0),
        days, when }));
    }
  }
  if (scores.adjusted_length_cm !== null && previous.adjusted_length_cm !== null) {
    const shorter = previous.adjusted_length_cm - scores.adjusted_length_cm;
    if (shorter > limits.max_length_loss_cm) {
      warnings.push(fill(messages.length_loss, { shorter: formatNumber(shorter), when,
        previous_length: formatNumber(previous.adjusted_length_cm) }));
    }
  }
  return warnings;
}

// ---- the rules on a report's figures (reporting.ValidationRule, as data) ----------------------------------------

// A typed figure as reporting.services.parse_figure reads it: "1.234" (dots group thousands), "12,5"; empty → null.
export function parseFigure(raw) {
  const text = (raw || "").trim().replace(/ /g, "");
  if (!text) return { value: null, error: null };
  let plain = text;
  if (plain.includes(",")) plain = plain.replace(/\./g, "").replace(",", ".");
  else if (plain.includes(".") && plain.split(".").slice(1).every((part) => part.length === 3)) {
    plain = plain.replace(/\./g, "");
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(plain)) return { value: null, error: `“${raw}” không phải là số.` };
  return { value: Number(plain), error: null };
}

// A figure as reporting.validation.format_value writes it: "1.234,5", "(trống)" when empty.
export function formatValue(value) {
  if (value === null || value === undefined) return "(trống)";
  const [whole, fraction] = String(Math.abs(value)).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  return (value < 0 ? "-" : "") + (fraction ? `${grouped},${fraction}` : grouped);
}

function ruleMessage(rule, values) {
  const context = { element: "", value: "", other: "", other_value: "", min: "", max: "", share: "", last_value: "" };
  for (const [key, item] of Object.entries(values)) {
    context[key] = typeof item === "number" || item === null ? formatValue(item) : String(item);
  }
  return fill(rule.message, context);
}

const asNumber = (text) => (text === null || text === undefined ? null : Number(text));

// The findings of the rules on one figure, as reporting.validation.check_cells gives them for a single cell:
// ``current(code)`` is the figure of another element for the same unit (null when unknown), ``lastYear`` last
// year's figure of this one, ``names`` the elements' names by code.
export function checkFigure(rules, { code, value, current, lastYear, names }) {
  const findings = [];
  const name = (element) => names[element] || element;
  for (const rule of rules) {
    if (rule.element === code && value !== null) {
      let message = "";
      if (rule.kind === "range") {
        const min = asNumber(rule.min);
        const max = asNumber(rule.max);
        if ((min !== null && value < min) || (max !== null && value > max)) {
          message = ruleMessage(rule, { element: name(code), value, min, max });
        }
      } else if (rule.kind === "not_greater_than") {
        const other = current(rule.other_element);
        if (other !== null && value > other) {
          message = ruleMessage(rule, { element: name(code), value, other: name(rule.other_element),
            other_value: other });
        }
      } else if (rule.kind === "change_from_last_year" && rule.max_change_share !== null) {
        const share = asNumber(rule.max_change_share);
        if (lastYear !== null && lastYear !== 0 && Math.abs(value - lastYear) > share * lastYear) {
          message = ruleMessage(rule, { element: name(code), value, last_value: lastYear,
            share: `${String(Math.round(share * 100 * 10000) / 10000).replace(".", ",")}%` });
        }
      }
      if (message) findings.push({ code: rule.code, severity: rule.severity, message });
    }
  }
  for (const rule of rules) {  // the comparisons naming this element as the larger one, after its own rules
    if (rule.kind === "not_greater_than" && rule.other_element === code) {
      const numerator = current(rule.element);
      if (numerator !== null && value !== null && numerator > value) {
        findings.push({ code: rule.code, severity: rule.severity, message: ruleMessage(rule, {
          element: name(rule.element), value: numerator, other: name(code), other_value: value }) });
      }
    }
  }
  return findings;
}
