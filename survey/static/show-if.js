/* Show-if, live: every element with a data-show-if (the condition parsed on the server, as
 * JSON: survey/questionnaire/expressions.py to_json) is shown or hidden as the form's answers
 * change, with the same rules as the server (_value, _compare, _scalar there):
 *   - an unanswered question is the empty string; a numeric comparison with it is false and
 *     != with it is true;
 *   - several checked boxes are a list: selected() looks in the list, a comparison joins it
 *     with spaces;
 *   - a question whose condition reads an answer this page does not hold (an earlier page's
 *     that the server did not settle) stays as the server rendered it: shown;
 *   - ODK's functions (if, round, coalesce... expressions.py FUNCTIONS and _call) give the
 *     server's values: tests/function_cases.py holds the cases both are checked against.
 * Only the hidden attribute changes (no inline style: the CSP forbids it), so a hidden
 * question is neither focusable nor announced. Its inputs keep their values and are still
 * posted: the server ignores the answer of a question its condition hides.
 * Without JavaScript every question stays visible, and the labels say when to answer. */
(function () {
  "use strict";

  var UNKNOWN = {}; // an answer this page does not hold: neither true nor false

  // How the question's answer is read (its type's spec, survey/questionnaire/types.py, which
  // the server writes in data-answer): number, integer, decimal or text.
  function answerKind(input) {
    var question = input.closest(".question");
    return (question && question.getAttribute("data-answer")) || "text";
  }

  // Python's float(): optional sign, digits with single underscores, exponent, inf and nan.
  var FLOAT = /^[+-]?(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?$/;
  var SPECIAL = /^[+-]?(?:inf|infinity|nan)$/i;

  function toNumber(value) {
    if (typeof value === "number") return value;
    var text = String(value).trim();
    if (FLOAT.test(text)) return Number(text.replace(/_/g, ""));
    if (SPECIAL.test(text)) {
      var sign = text.charAt(0) === "-" ? -1 : 1;
      return /nan/i.test(text) ? NaN : sign * Infinity;
    }
    return null;
  }

  // The answer one input holds, typed as the server stores it (forms/participant.py
  // field_value): ratings and numbers are numbers, text is trimmed, empty is "". A date, time
  // or date and time input's value is already the text the server compares (2026-03-14, 14:30,
  // 2026-03-14T14:30).
  function typed(input, raw) {
    var text = raw.trim();
    if (text === "") return "";
    var kind = answerKind(input);
    if (kind === "number") {
      var rating = toNumber(text);
      return rating === null ? "" : rating;
    }
    if (kind === "integer") {
      return /^[+-]?\d(?:_?\d)*$/.test(text) ? Number(text.replace(/_/g, "")) : "";
    }
    if (kind === "decimal") {
      if ((text.match(/,/g) || []).length === 1 && text.indexOf(".") < 0) {
        text = text.replace(",", "."); // a decimal comma, as the server accepts it
      }
      var number = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text) ? Number(text) : null;
      return number === null ? "" : number;
    }
    return text;
  }

  // The answer held by the inputs named `name`, or UNKNOWN when there is none.
  function answer(form, name) {
    var inputs = [];
    for (var i = 0; i < form.elements.length; i++) {
      if (form.elements[i].name === name) inputs.push(form.elements[i]);
    }
    if (inputs.length === 0) return UNKNOWN;
    if (inputs[0].type === "checkbox") {
      var checked = inputs.filter(function (box) { return box.checked; }).map(function (box) {
        return box.value;
      });
      return checked.length ? checked : ""; // nothing ticked is unanswered, as on the server
    }
    if (inputs[0].type === "radio") {
      var chosen = inputs.filter(function (radio) { return radio.checked; })[0];
      return chosen ? typed(chosen, chosen.value) : "";
    }
    return typed(inputs[0], inputs[0].value);
  }

  function scalar(value) {
    return Array.isArray(value) ? value.join(" ") : value;
  }

  function compare(op, left, right) {
    if (typeof left === "boolean" || typeof right === "boolean") {
      // XPath 1.0, 3.4: beside a boolean, = and != compare truths, the others numbers.
      if (op === "=" || op === "!=") return (truthy(left) === truthy(right)) === (op === "=");
      var leftOperand = operand(left);
      var rightOperand = operand(right);
      if (leftOperand === null || rightOperand === null) return false;
      left = leftOperand;
      right = rightOperand;
    } else if (typeof left === "number" || typeof right === "number") {
      var leftNumber = toNumber(left);
      var rightNumber = toNumber(right);
      if (leftNumber === null || rightNumber === null) return op === "!=";
      left = leftNumber;
      right = rightNumber;
    } else if (op !== "=" && op !== "!=") {
      var l = toNumber(left);
      var r = toNumber(right);
      if (l !== null && r !== null) {
        left = l;
        right = r;
      } else if (left === "" || right === "") {
        return false;
      }
    }
    switch (op) {
      case "=": return left === right;
      case "!=": return left !== right;
      case "<": return left < right;
      case "<=": return left <= right;
      case ">": return left > right;
      case ">=": return left >= right;
    }
    return UNKNOWN;
  }

  // A value as a number for arithmetic (expressions.py _operand): a comparison's truth is 1 or
  // 0; an unanswered, non-numeric or infinite value is none.
  function operand(value) {
    if (typeof value === "boolean") return value ? 1 : 0;
    if (typeof value === "number") return isFinite(value) ? value : null;
    if (typeof value !== "string" || value.trim() === "") return null;
    var number = toNumber(value);
    return number !== null && isFinite(number) ? number : null;
  }

  // expressions.py _arithmetic: "" (no value, like an unanswered question) when an operand is
  // not a number, the divisor is zero or the result is not finite.
  function arithmetic(op, leftValue, rightValue) {
    var left = operand(leftValue);
    var right = operand(rightValue);
    if (left === null || right === null) return "";
    if ((op === "div" || op === "mod") && right === 0) return "";
    var result;
    switch (op) {
      case "+": result = left + right; break;
      case "-": result = left - right; break;
      case "*": result = left * right; break;
      case "div": result = left / right; break;
      case "mod": result = left % right; break; // keeps the dividend's sign, as math.fmod
      default: return UNKNOWN;
    }
    return isFinite(result) ? result : "";
  }

  // A value as text (expressions.py _text): true and false, numbers as String() writes them
  // (survey/questionnaire/decimals.py number_text writes them so too).
  function text(value) {
    if (typeof value === "boolean") return value ? "true" : "false";
    return String(value);
  }

  // round(number, digits) on the number's shortest decimal form, a half towards positive
  // infinity (survey/questionnaire/decimals.py xpath_round, which says why).
  function round(number, digits) {
    var places = truncated(Math.max(-400, Math.min(400, digits)));
    var parts = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(String(number));
    if (!parts) return number;
    var sign = parts[1];
    var fraction = parts[3] || "";
    var mantissa = parts[2] + fraction;
    var scale = Number(parts[4] || 0) - fraction.length;
    var keep = mantissa.length + scale + places;
    if (keep >= mantissa.length) return number;
    var kept = keep > 0 ? mantissa.slice(0, keep) : "0";
    var dropped = keep >= 0 ? mantissa.slice(keep) : "0";
    var half = !sign
      ? dropped.charAt(0) >= "5"
      : dropped.charAt(0) > "5" || (dropped.charAt(0) === "5" && /[1-9]/.test(dropped.slice(1)));
    if (half) kept = plusOne(kept);
    return Number(sign + kept + "e" + -places) + 0;
  }

  // Towards zero, as Python's math.trunc (Math.trunc is missing on the oldest phones).
  function truncated(number) {
    return number < 0 ? Math.ceil(number) : Math.floor(number);
  }

  // Characters as Python counts them: a pair of UTF-16 surrogates (an emoji) is one.
  function codePoints(value) {
    return value.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, "_").length;
  }

  // A whole number's decimal digits plus one ("199" -> "200"), on text: up to 17 digits, more
  // than a number holds exactly, and older phones have no BigInt.
  function plusOne(digits) {
    var sum = "";
    var carry = 1;
    for (var i = digits.length - 1; i >= 0; i--) {
      var digit = digits.charCodeAt(i) - 48 + carry;
      carry = digit > 9 ? 1 : 0;
      sum = String(digit % 10) + sum;
    }
    return carry ? "1" + sum : sum;
  }

  // ODK's functions (expressions.py FUNCTIONS and _call): "" is no value, as XPath's NaN.
  function call(name, args, form) {
    var i;
    if (name === "if") {
      var condition = evaluate(args[0], form);
      if (condition === UNKNOWN) return UNKNOWN;
      return value(condition ? args[1] : args[2], form);
    }
    if (name === "coalesce") {
      var first = value(args[0], form);
      return first === "" ? value(args[1], form) : first;
    }
    if (name === "count-selected" && args[0] && "var" in args[0]) {
      var held = answer(form, args[0]["var"]);
      if (held === UNKNOWN) return UNKNOWN;
      if (Array.isArray(held)) return held.length;
    }
    var values = [];
    for (i = 0; i < args.length; i++) {
      values.push(value(args[i], form));
      if (values[i] === UNKNOWN) return UNKNOWN;
    }
    switch (name) {
      case "true": return true;
      case "false": return false;
      case "boolean": return truthy(values[0]);
      case "string-length": return codePoints(text(values[0]));
      case "count-selected":
        var items = text(values[0]).trim();
        return items === "" ? 0 : items.split(/\s+/).length;
      case "concat": return values.map(text).join("");
    }
    var numbers = values.map(operand);
    if (numbers.indexOf(null) >= 0) return "";
    var number = numbers[0];
    switch (name) {
      case "number": return number;
      case "int": return truncated(number) + 0;
      case "round": return round(number, numbers.length > 1 ? numbers[1] : 0);
      case "floor": return Math.floor(number) + 0;
      case "ceiling": return Math.ceil(number) + 0;
      case "abs": return Math.abs(number);
      case "sqrt": return number >= 0 ? Math.sqrt(number) : "";
    }
    return UNKNOWN; // a function this script does not know: the server decides
  }

  function truthy(value) {
    if (value === UNKNOWN) return UNKNOWN;
    return !(value === "" || value === null || value === 0 || value === false);
  }

  // Three-valued: true, false or UNKNOWN (an answer from outside the page decides).
  function evaluate(node, form) {
    return truthy(value(node, form));
  }

  function value(node, form) {
    if (node === null || typeof node !== "object") return UNKNOWN;
    if ("var" in node) {
      var held = answer(form, node["var"]);
      return held === UNKNOWN ? UNKNOWN : scalar(held);
    }
    if ("value" in node) return node.value;
    if ("selected" in node) {
      var list = answer(form, node.selected);
      if (list === UNKNOWN) return UNKNOWN;
      return Array.isArray(list) ? list.indexOf(node.code) >= 0 : scalar(list) === node.code;
    }
    if ("arithmetic" in node) {
      var first = value(node.left, form);
      var second = value(node.right, form);
      if (first === UNKNOWN || second === UNKNOWN) return UNKNOWN;
      return arithmetic(node.arithmetic, first, second);
    }
    if ("op" in node) {
      var left = value(node.left, form);
      var right = value(node.right, form);
      if (left === UNKNOWN || right === UNKNOWN) return UNKNOWN;
      return compare(node.op, left, right);
    }
    if ("not" in node) {
      var operand = evaluate(node.not, form);
      return operand === UNKNOWN ? UNKNOWN : !operand;
    }
    if ("call" in node) return Array.isArray(node.args) ? call(node.call, node.args, form) : UNKNOWN;
    var operands = node.and || node.or;
    if (!Array.isArray(operands)) return UNKNOWN;
    var decisive = "and" in node ? false : true; // one false decides "and", one true "or"
    var unsure = false;
    for (var i = 0; i < operands.length; i++) {
      var result = evaluate(operands[i], form);
      if (result === decisive) return decisive;
      if (result === UNKNOWN) unsure = true;
    }
    return unsure ? UNKNOWN : !decisive;
  }

  function conditional(form) {
    var found = [];
    var elements = form.querySelectorAll("[data-show-if]");
    for (var i = 0; i < elements.length; i++) {
      var text = elements[i].getAttribute("data-show-if");
      if (!text) continue;
      try {
        found.push({ element: elements[i], condition: JSON.parse(text) });
      } catch (error) {
        // A condition the page cannot read: leave the question shown, as without JavaScript.
      }
    }
    return found;
  }

  function update(form, questions) {
    questions.forEach(function (question) {
      question.element.hidden = evaluate(question.condition, form) === false;
    });
  }

  function start() {
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      (function (form) {
        var questions = conditional(form);
        if (!questions.length) return;
        var refresh = function () { update(form, questions); };
        form.addEventListener("input", refresh);
        form.addEventListener("change", refresh);
        // Answers restored by the browser (Back, reload) arrive after the script ran.
        window.addEventListener("pageshow", refresh);
        refresh();
      })(forms[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
