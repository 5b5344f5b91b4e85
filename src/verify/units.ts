/**
 * Words an answer may carry without changing its number: units of measure, currency and
 * degrees, and nothing else. Any other word next to a number ("thousand", "or more", "is
 * wrong", "apples") makes the answer a text answer, compared as text — so it never equals a
 * bare number. Counted nouns ("5 apples") are deliberately *not* units: the verifier does
 * not see the question, and a noun list would be an open door for words that do change the
 * number (docs/verifier.md explains the choice).
 */

const UNIT_WORDS = [
  // length
  'mm', 'cm', 'dm', 'km', 'nm', 'um', 'µm', 'in', 'inch', 'inches', 'ft', 'foot', 'feet', 'yd', 'yard', 'yards', 'mi', 'mile', 'miles',
  'meter', 'meters', 'metre', 'metres', 'centimeter', 'centimeters', 'centimetre', 'centimetres', 'millimeter', 'millimeters',
  'millimetre', 'millimetres', 'kilometer', 'kilometers', 'kilometre', 'kilometres', 'light-year', 'light-years',
  // mass and weight
  'mg', 'kg', 'lb', 'lbs', 'oz', 'gram', 'grams', 'kilogram', 'kilograms', 'milligram', 'milligrams', 'pound', 'pounds',
  'ounce', 'ounces', 'ton', 'tons', 'tonne', 'tonnes',
  // time
  'sec', 'secs', 'second', 'seconds', 'min', 'mins', 'minute', 'minutes', 'hr', 'hrs', 'hour', 'hours', 'day', 'days',
  'week', 'weeks', 'month', 'months', 'yr', 'yrs', 'year', 'years', 'ms',
  // volume and area qualifiers
  'ml', 'cl', 'liter', 'liters', 'litre', 'litres', 'milliliter', 'milliliters', 'millilitre', 'millilitres', 'gallon', 'gallons',
  'gal', 'quart', 'quarts', 'qt', 'pint', 'pints', 'pt', 'cup', 'cups', 'cc', 'tbsp', 'tsp', 'tablespoon', 'tablespoons',
  'teaspoon', 'teaspoons', 'fl', 'sq', 'square', 'cubic', 'cu', 'acre', 'acres', 'hectare', 'hectares', 'ha',
  // speed, rate, data, energy and other physical units
  'mph', 'kph', 'kmh', 'km/h', 'm/s', 'per', 'hz', 'khz', 'mhz', 'ghz', 'w', 'kw', 'kwh', 'watt', 'watts', 'volt', 'volts', 'amp', 'amps',
  'joule', 'joules', 'calorie', 'calories', 'cal', 'kcal', 'newton', 'newtons', 'pascal', 'pascals', 'pa', 'kpa', 'atm',
  'byte', 'bytes', 'kb', 'mb', 'gb', 'tb', 'bit', 'bits',
  // money
  'dollar', 'dollars', 'cent', 'cents', 'usd', 'eur', 'euro', 'euros', 'gbp', 'yen', 'jpy', 'yuan', 'rmb', 'cny', 'rupee', 'rupees',
  'inr', 'rs', 'peso', 'pesos', 'franc', 'francs',
  // angles and temperature
  'degree', 'degrees', 'deg', 'radian', 'radians', 'rad', 'rads', 'celsius', 'fahrenheit', 'kelvin', '°c', '°f',
  // counts of "units" themselves, and percent
  'unit', 'units', 'percent', 'percentage', 'pct',
];
const UNITS = new Set(UNIT_WORDS);
/** Single letters that are units only inside `\text{}` (outside, a letter is a variable). */
const LETTER_UNITS = new Set(['m', 'g', 's', 'h', 'l', 'L', 'C', 'F']);

/** Whether every word of `phrase` is a unit token ("cm", "square feet", "km/h", "dollars per hour"). */
export function isUnitPhrase(phrase: string, inText: boolean): boolean {
  const words = phrase
    .replace(/[()[\].,:;²³^0-9]/g, ' ')
    .split(/[\s\-·*]+/)
    .filter(Boolean);
  if (!words.length) return false;
  const unit = (w: string, letters: boolean) => UNITS.has(w.toLowerCase()) || (letters && w.length === 1 && LETTER_UNITS.has(w));
  // A compound such as km/h or m/s may use unit letters anywhere.
  return words.every((w) => unit(w, inText) || (w.includes('/') && w.split('/').every((x) => x !== '' && unit(x, true))));
}
