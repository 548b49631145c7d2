/* TESmart Members storefront widgets. Plain ES2019, no framework, no build step.
   Every container from snippets/tesmart-root.liquid carries its kind, the app proxy base, the
   store's locale and currency, and its translated strings; this file calls the storefront API
   behind the app proxy and renders. Text goes in through textContent / text nodes only. */
(function () {
  'use strict';
  if (window.TESmartMembers) return;

  var cache = {};
  var seq = 0;
  var uid = function () { return 'tesmart-f' + ++seq; };

  // --- DOM, strings, formatting ------------------------------------------------------------
  function h(tag, props, kids) {
    var n = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) {
      var v = props[k];
      if (v == null || v === false) return;
      if (k === 'text') n.textContent = v;
      else if (k.slice(0, 2) === 'on') n.addEventListener(k.slice(2), v);
      else n.setAttribute(k, v === true ? '' : v);
    });
    (kids || []).forEach(function (kid) { if (kid != null && kid !== false) n.append(kid); });
    return n;
  }

  function t(c, key, vars) {
    var s = c.s[key];
    if (s == null) return key;
    return s.replace(/\{(\w+)\}/g, function (m, k) { return vars && vars[k] != null ? vars[k] : m; });
  }

  var num = function (c, n) { return new Intl.NumberFormat(c.locale).format(n); };
  function pts(c, n) {
    var one = new Intl.PluralRules(c.locale).select(n) === 'one';
    return t(c, one ? 'common.points_one' : 'common.points_other', { points: num(c, n) });
  }
  function money(c, amount, currency) {
    currency = currency || c.currency;
    try {
      // JPY and KRW have no minor unit: Intl drops the decimals by itself.
      return new Intl.NumberFormat(c.locale, { style: 'currency', currency: currency }).format(Number(amount));
    } catch (e) {
      return amount + ' ' + currency;
    }
  }
  var pct = function (c, p) {
    return new Intl.NumberFormat(c.locale, { style: 'percent', maximumFractionDigits: 2 }).format(Number(p) / 100);
  };
  function day(c, iso) {
    // A bare date is a calendar day, not an instant: format it in UTC so it never shifts.
    var opts = iso.length === 10 ? { dateStyle: 'medium', timeZone: 'UTC' } : { dateStyle: 'medium' };
    return new Intl.DateTimeFormat(c.locale, opts).format(new Date(iso));
  }

  var heading = function (c, key) { return h(c.level, { class: 'tesmart__title', text: t(c, key) }); };
  var sub = function (c, key) { return h(c.sub, { class: 'tesmart__subtitle', text: t(c, key) }); };
  var para = function (text, cls) { return h('p', { class: cls, text: text }); };
  function btn(c, key, onclick, ghost) {
    return h('button', { type: 'button', class: 'tesmart__btn' + (ghost ? ' tesmart__btn--ghost' : ''), text: t(c, key), onclick: onclick });
  }
  function loginBox(c, key) {
    return h('p', { class: 'tesmart__login' }, [
      t(c, key || 'common.login_prompt') + ' ',
      h('a', { class: 'tesmart__link', href: c.login, text: t(c, 'common.log_in') })
    ]);
  }
  function say(c, msg, bad) {
    c.live.textContent = msg || '';
    c.live.className = 'tesmart__status' + (bad ? ' tesmart__status--error' : '');
  }
  function errText(c, e) {
    var key = 'common.error_' + (e && e.code);
    return c.s[key] ? t(c, key) : (e && e.message) || t(c, 'common.error');
  }

  // --- the storefront API ------------------------------------------------------------------
  async function api(c, path, method, body) {
    var init = { method: method || 'GET', credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (body) {
      init.body = JSON.stringify(body);
      init.headers['Content-Type'] = 'application/json';
    }
    var res;
    var data = null;
    try {
      res = await fetch(c.base + path, init);
    } catch (e) {
      throw { code: 'network' };
    }
    try {
      data = await res.json();
    } catch (e) {
      data = null;
    }
    if (!res.ok || !data) {
      var err = (data && data.error) || {};
      throw { status: res.status, code: err.code, message: err.message };
    }
    return data;
  }
  function get(c, path) {
    if (!cache[path]) cache[path] = api(c, path).catch(function (e) { delete cache[path]; throw e; });
    return cache[path];
  }
  function forget() { Array.prototype.forEach.call(arguments, function (p) { delete cache[p]; }); }
  var wait = function (ms) { return new Promise(function (ok) { setTimeout(ok, ms); }); };

  function copyBox(c, value, label) {
    var input = h('input', { id: uid(), class: 'tesmart__input tesmart__code', value: value, readonly: true });
    var box = h('div', { class: 'tesmart__copy' }, [
      h('label', { for: input.id, text: label }), input,
      btn(c, 'common.copy', function () { copy(c, value, input); })
    ]);
    box.input = input;
    return box;
  }
  async function copy(c, text, input) {
    try {
      await navigator.clipboard.writeText(text);
      return say(c, t(c, 'common.copied'));
    } catch (e) {
      // No clipboard API (insecure context, old browser, denied): select and try the old way.
    }
    input.focus();
    input.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    say(c, t(c, ok ? 'common.copied' : 'common.copy_manual'));
  }

  // --- member status -----------------------------------------------------------------------
  var EARN_FOR_STEP = { subscribe_newsletter: 'newsletter', place_order: 'order', complete_survey: 'survey', leave_review: 'review' };

  async function member(c, out) {
    var m = await get(c, '/member');
    var boost = m.campaigns.filter(function (x) { return x.kind === 'points_multiplier' && x.multiplier; })[0];
    out.append(heading(c, 'member.title'));
    if (!m.logged_in) {
      out.append(para(t(c, 'member.anonymous')), earnList(c, m, boost), loginBox(c));
      return;
    }
    var id = m.tesmart_id;
    var facts = h('dl', { class: 'tesmart__facts' });
    var fact = function (key, value) { facts.append(h('dt', { text: t(c, key) }), h('dd', { text: value })); };
    fact('member.status_label', t(c, 'member.status_' + id.status));
    if (id.cohort) fact('member.cohort_label', t(c, 'member.cohort_' + id.cohort.replace('-', '_')));
    if (id.registered_at) fact('member.member_since', day(c, id.registered_at));
    if (m.points) fact('member.balance_label', pts(c, m.points.balance));
    out.append(facts);
    var exp = m.points && m.points.expiring;
    if (exp) out.append(para(t(c, 'member.expiring', { points: pts(c, exp.points), date: day(c, exp.on) }), 'tesmart__muted'));

    out.append(sub(c, 'member.benefits_title'));
    if (m.benefits.length) {
      out.append(h('ul', { class: 'tesmart__list' }, m.benefits.map(function (b) { return h('li', { text: t(c, 'member.benefit_' + b) }); })));
    } else {
      out.append(para(t(c, 'member.no_benefits')));
    }
    if (m.next_steps.length) {
      out.append(sub(c, 'member.next_title'), h('ul', { class: 'tesmart__list' }, m.next_steps.map(function (step) {
        var earn = EARN_FOR_STEP[step];
        var label = t(c, 'member.next_' + step);
        return h('li', {}, [
          step === 'log_in' ? h('a', { class: 'tesmart__link', href: c.login, text: label }) : label,
          earn ? ' +' + pts(c, m.earning[earn]) : null,
          earn === 'order' && boost ? badge(c, boost) : null
        ]);
      })));
    }
    if (id.status === 'active') await tier(c, out, m.shop.currency).catch(function () {});
    if (id.status === 'active') await birthday(c, out).catch(function () {});
    if (m.campaigns.length) {
      out.append(sub(c, 'member.campaigns_title'), h('ul', { class: 'tesmart__list' }, m.campaigns.map(function (x) {
        return h('li', {}, [h('strong', { text: x.title }), x.multiplier ? badge(c, x) : null, ' ' + t(c, 'member.campaign_until', { date: day(c, x.ends_at) })]);
      })));
    }
  }
  // The VIP tier (shown only where the store has tiers on), the next one, and its history.
  async function tier(c, out, currency) {
    var v = await api(c, '/tier');
    if (!v.enabled || !v.tier) return;
    var x = v.tier;
    var box = h('div', { class: 'tesmart__tier' }, [sub(c, 'member.tier_title'), para(t(c, 'member.tier_current', { name: x.name, multiplier: num(c, Number(x.multiplier)) }))]);
    if (x.perk) box.append(para(t(c, x.perk === 'gift' ? 'member.tier_perk_gift' : 'member.tier_perk_free_shipping')));
    if (v.next) {
      var left = v.basis === 'money_spent' ? money(c, v.next.remaining, currency) : num(c, Number(v.next.remaining));
      box.append(para(t(c, v.basis === 'money_spent' ? 'member.tier_next_money' : 'member.tier_next_points', { remaining: left, name: v.next.name }), 'tesmart__muted'));
    }
    if (x.period_ends_on) box.append(para(t(c, 'member.tier_until', { date: day(c, x.period_ends_on) }), 'tesmart__muted'));
    if (v.changes.length) box.append(h('ul', { class: 'tesmart__list' }, v.changes.slice(0, 5).map(function (ch) {
      return h('li', { text: t(c, 'member.tier_change', { date: day(c, ch.at), name: ch.to || '—' }) });
    })));
    out.append(box);
  }
  // The birthday reward (shown only where the store has it on): a month and a day, once a year.
  async function birthday(c, out) {
    var b = await api(c, '/birthday');
    if (!b.enabled) return;
    var box = h('div', { class: 'tesmart__birthday' });
    out.append(box);
    function draw() {
      box.textContent = '';
      box.append(sub(c, 'member.birthday_title'), para(t(c, 'member.birthday_intro', { points: pts(c, b.points) })));
      if (b.birthday) box.append(para(t(c, 'member.birthday_on', { date: new Intl.DateTimeFormat(c.locale, { month: 'long', day: 'numeric', timeZone: 'UTC' }).format(Date.UTC(2000, b.birthday.month - 1, b.birthday.day)) })));
      if (b.rewarded_this_year) box.append(para(t(c, 'member.birthday_rewarded'), 'tesmart__muted'));
      if (!b.can_change) {
        if (b.next_change_on) box.append(para(t(c, 'member.birthday_next_change', { date: day(c, b.next_change_on) }), 'tesmart__muted'));
        return;
      }
      var field = function (key, max, value) {
        var id = uid();
        var input = h('input', { id: id, type: 'number', min: 1, max: max, required: true, inputmode: 'numeric', value: value || '' });
        return [h('label', { for: id, text: t(c, key) }), input];
      };
      var mo = field('member.birthday_month', 12, b.birthday && b.birthday.month);
      var dy = field('member.birthday_day', 31, b.birthday && b.birthday.day);
      var form = h('form', { class: 'tesmart__actions' }, mo.concat(dy, [h('button', { type: 'submit', class: 'tesmart__btn', text: t(c, 'member.birthday_save') })]));
      form.onsubmit = async function (ev) {
        ev.preventDefault();
        try {
          b = await api(c, '/birthday', 'PUT', { month: Number(mo[1].value), day: Number(dy[1].value) });
          forget('/member');
          draw();
          say(c, t(c, 'member.birthday_saved'));
        } catch (e) {
          say(c, errText(c, e), true);
        }
      };
      box.append(form);
    }
    draw();
  }
  function badge(c, campaign) {
    return h('span', { class: 'tesmart__badge', text: t(c, 'member.campaign_multiplier', { multiplier: num(c, Number(campaign.multiplier)) }) });
  }
  function earnList(c, m, boost) {
    var e = m.earning;
    return h('div', {}, [sub(c, 'member.earn_title'), h('ul', { class: 'tesmart__list' }, ['signup', 'newsletter', 'order', 'survey', 'review', 'review_with_photos'].map(function (k) {
      var value = '+' + pts(c, e[k]);
      if (k === 'order' && e.order_per_currency_unit) {
        value = t(c, 'member.earn_per_unit', { points: pts(c, Number(e.order_per_currency_unit)), amount: money(c, 1, m.shop.currency) });
      }
      return h('li', {}, [t(c, 'member.earn_' + k) + ' ', h('strong', { text: value }), k === 'order' && boost ? badge(c, boost) : null]);
    }))]);
  }

  // --- rewards -----------------------------------------------------------------------------
  async function rewards(c, out) {
    var r = await get(c, '/rewards');
    var lead = h('div', { class: 'tesmart__lead' });
    var codeList = h('ul', { class: 'tesmart__list tesmart__codes' });
    var codes = h('div', { hidden: true }, [sub(c, 'rewards.codes_title'), codeList]);
    var list = h('ul', { class: 'tesmart__cards' });
    out.append(heading(c, 'rewards.title'), lead, list, codes);

    function draw() {
      lead.textContent = '';
      if (r.balance != null) lead.append(para(t(c, 'rewards.balance', { points: pts(c, r.balance) })));
      if (!c.customer) lead.append(loginBox(c, 'rewards.login'));
      else if (!r.can_redeem) lead.append(para(t(c, 'rewards.cannot_redeem'), 'tesmart__muted'));
      list.textContent = '';
      if (!r.rewards.length) list.append(h('li', { text: t(c, 'rewards.empty') }));
      r.rewards.forEach(function (w) {
        var value = w.kind === 'percentage'
          ? t(c, 'rewards.value_percent', { percent: pct(c, w.percentage) })
          : t(c, w.kind === 'store_credit' ? 'rewards.value_credit' : 'rewards.value_amount', { amount: money(c, w.amount, r.currency) });
        var act = h('div', { class: 'tesmart__actions' });
        list.append(h('li', { class: 'tesmart__card', 'data-reward': w.id }, [h('strong', { text: w.title }), h('span', { text: value }), h('span', { class: 'tesmart__muted', text: pts(c, w.points) }), act]));
        idle(w, act);
      });
    }
    function idle(w, act) {
      act.textContent = '';
      if (r.can_redeem && w.affordable) {
        act.append(btn(c, 'rewards.redeem', function () { ask(w, act); }));
      } else if (c.customer && r.balance != null && r.balance < w.points) {
        act.append(h('span', { class: 'tesmart__muted', text: t(c, 'rewards.need_more', { points: pts(c, w.points - Math.max(r.balance, 0)) }) }));
      }
    }
    function ask(w, act) {
      act.textContent = '';
      var yes = btn(c, 'rewards.confirm_yes', function () { redeem(w, act, yes); });
      act.append(h('span', { text: t(c, 'rewards.confirm', { points: pts(c, w.points) }) }), yes, btn(c, 'common.cancel', function () {
        idle(w, act);
        if (act.firstChild && act.firstChild.focus) act.firstChild.focus();
      }, true));
      yes.focus();
    }
    async function redeem(w, act, yes) {
      yes.disabled = true;
      say(c, t(c, 'rewards.redeeming'));
      var focusTo = null;
      try {
        var accepted = await api(c, '/redemptions', 'POST', { reward_id: w.id });
        forget('/rewards', '/member', '/redemptions');
        var done = await poll(accepted.id);
        if (done.status === 'issued' && !done.code) {
          codeList.prepend(codeRow(done));
          codes.hidden = false;
          say(c, t(c, 'rewards.credit_ready'));
        } else if (done.status === 'issued') {
          var row = codeRow(done);
          codeList.prepend(row);
          codes.hidden = false;
          focusTo = row.querySelector('button');
          say(c, t(c, 'rewards.code_ready'));
        } else if (done.status === 'pending') {
          say(c, t(c, 'rewards.code_pending'));
        } else {
          say(c, t(c, 'rewards.code_failed'), true);
        }
        r = await get(c, '/rewards');
        draw();
      } catch (e) {
        say(c, errText(c, e), true);
        idle(w, act);
      }
      focusTo = focusTo || list.querySelector('[data-reward="' + w.id + '"] button') || list.querySelector('button');
      if (focusTo) focusTo.focus();
    }
    async function poll(id) {
      for (var i = 1; i <= 20; i++) {
        await wait(Math.min(400 * i, 3000));
        var x = await api(c, '/redemptions/' + id);
        if (x.status !== 'pending') return x;
      }
      return { status: 'pending' };
    }
    function codeRow(x) {
      if (x.status === 'issued' && x.code) return h('li', {}, [h('strong', { text: x.reward.title }), copyBox(c, x.code, t(c, 'rewards.code_label'))]);
      return h('li', {}, [x.reward.title + ' ', h('span', { class: 'tesmart__muted', text: t(c, 'rewards.status_' + x.status) })]);
    }

    draw();
    if (c.customer) {
      try {
        (await get(c, '/redemptions')).redemptions.forEach(function (x) {
          if (x.status === 'failed') return;
          codeList.append(codeRow(x));
          codes.hidden = false;
        });
      } catch (e) {
        // The catalogue works without the list of past codes.
      }
    }
  }

  // --- referral ----------------------------------------------------------------------------
  async function referral(c, out) {
    out.append(heading(c, 'referral.title'));
    if (!c.customer) return out.append(loginBox(c));
    var r = await get(c, '/referral');
    var amount = money(c, r.friend_coupon.amount, r.friend_coupon.currency);
    var link = copyBox(c, r.url, t(c, 'referral.link_label'));
    link.append(btn(c, 'referral.share', async function () {
      if (navigator.share) {
        try {
          return await navigator.share({ title: t(c, 'referral.title'), text: t(c, 'referral.share_text', { amount: amount }), url: r.share_url });
        } catch (e) {
          if (e && e.name === 'AbortError') return;
        }
      }
      copy(c, r.share_url, link.input);
    }, true));
    var friends = h('ul', { class: 'tesmart__list' }, r.friends.map(function (f) {
      return h('li', {}, [h('strong', { text: t(c, 'referral.friend_' + f.status) }), ' · ' + day(c, f.at), f.reason ? h('span', { class: 'tesmart__muted', text: ' · ' + f.reason }) : null]);
    }));
    if (!r.friends.length) friends.append(h('li', { class: 'tesmart__muted', text: t(c, 'referral.friends_empty') }));
    out.append(
      para(t(c, 'referral.intro', { amount: amount })), link,
      sub(c, 'referral.friends_title'), friends,
      para(t(c, 'referral.cap', { count: num(c, r.rewards_this_month), cap: num(c, r.monthly_cap) }), 'tesmart__muted')
    );
  }

  // --- trade-in estimator ------------------------------------------------------------------
  var CONDITIONS = ['cosmetic_wear', 'accessories_complete', 'original_packaging', 'working'];

  async function tradeIn(c, out) {
    out.append(heading(c, 'trade_in.title'));
    if (!c.customer) return out.append(loginBox(c));
    var list = (await get(c, '/devices')).devices;
    if (!list.length) return out.append(para(t(c, 'trade_in.no_devices')));
    var select = h('select', { id: uid(), class: 'tesmart__input' }, list.map(function (d) {
      return h('option', { value: d.id, text: d.title + ' (' + d.order_name + ')' });
    }));
    var boxes = {};
    var fields = h('fieldset', { class: 'tesmart__fieldset' }, [h('legend', { text: t(c, 'trade_in.condition_legend') })].concat(CONDITIONS.map(function (q) {
      boxes[q] = h('input', { type: 'checkbox', id: uid() });
      return h('div', { class: 'tesmart__check' }, [boxes[q], h('label', { for: boxes[q].id, text: t(c, 'trade_in.' + q) })]);
    })));
    var submit = h('button', { type: 'submit', class: 'tesmart__btn', text: t(c, 'trade_in.get_quote') });
    var result = h('div', { class: 'tesmart__result', tabindex: '-1' });
    var form = h('form', { class: 'tesmart__form', onsubmit: async function (ev) {
      ev.preventDefault();
      var device = list.filter(function (d) { return String(d.id) === select.value; })[0];
      var condition = {};
      CONDITIONS.forEach(function (q) { condition[q] = boxes[q].checked; });
      submit.disabled = true;
      say(c, t(c, 'trade_in.quoting'));
      try {
        show(await api(c, '/trade-in/quote', 'POST', { device_id: device.id, condition: condition }), device);
        say(c, '');
        result.focus();
      } catch (e) {
        say(c, errText(c, e), true);
      }
      submit.disabled = false;
    } }, [h('label', { for: select.id, text: t(c, 'trade_in.device_label') }), select, fields, submit]);
    out.append(para(t(c, 'trade_in.intro')), form, result);

    function show(q, device) {
      result.textContent = '';
      var headline;
      if (!q.eligible || q.kind === 'none') headline = t(c, 'trade_in.not_eligible');
      else if (q.kind === 'recovery_value') headline = t(c, 'trade_in.value', { value: money(c, q.value, q.currency) });
      else if (q.kind === 'discount_on_new') headline = t(c, 'trade_in.discount_on_new', { percent: pct(c, q.percent) });
      else headline = t(c, 'trade_in.recycle_only');
      result.append(h('p', {}, [h('strong', { text: headline })]));
      if (q.eligible && q.kind === 'recovery_value' && q.percent) result.append(para(t(c, 'trade_in.percent_of_price', { percent: pct(c, q.percent) })));
      result.append(para(q.reason, 'tesmart__muted'));
      if (!q.eligible || !q.quote_id) return;
      var serial = device.serial ? null : h('input', { id: uid(), class: 'tesmart__input', autocomplete: 'off', maxlength: '64' });
      var apply = btn(c, 'trade_in.apply', async function () {
        apply.disabled = true;
        say(c, t(c, 'trade_in.applying'));
        try {
          await api(c, '/trade-ins', 'POST', { quote_id: q.quote_id, serial: serial ? serial.value.trim() || null : null });
          forget('/devices');
          var ok = para(t(c, 'trade_in.applied'), 'tesmart__ok');
          ok.tabIndex = -1;
          apply.replaceWith(ok);
          ok.focus();
          say(c, t(c, 'trade_in.applied'));
        } catch (e) {
          say(c, errText(c, e), true);
          apply.disabled = false;
        }
      });
      if (serial) result.append(h('label', { for: serial.id, text: t(c, 'trade_in.serial_label') }), serial);
      result.append(apply);
    }
  }

  // --- my devices and warranty -------------------------------------------------------------
  async function devices(c, out) {
    out.append(heading(c, 'devices.title'));
    if (!c.customer) return out.append(loginBox(c));
    var list = (await get(c, '/devices')).devices;
    if (!list.length) return out.append(para(t(c, 'devices.empty')));
    out.append(h('ul', { class: 'tesmart__cards' }, list.map(function (d) { return device(c, d); })));
  }
  function device(c, d) {
    var li = h('li', { class: 'tesmart__card', tabindex: '-1' }, [h(c.sub, { class: 'tesmart__subtitle', text: d.title })]);
    var line = function (text, cls) { li.append(para(text, cls)); };
    line(t(c, 'devices.purchased', { date: day(c, d.purchased_at), order: d.order_name }), 'tesmart__muted');
    line(t(c, 'devices.standard_until', { date: day(c, d.standard_warranty_end) }));
    line(d.extended_warranty_end ? t(c, 'devices.extended_until', { date: day(c, d.extended_warranty_end) }) : t(c, 'devices.no_extension'));
    if (d.replacement_used) line(t(c, 'devices.replacement_used'));
    var ti = d.trade_in;
    if (ti.status) line(t(c, 'devices.trade_in_state', { state: t(c, 'devices.state_' + ti.status) }));
    else if (ti.eligible) line(t(c, 'devices.trade_in_ready'));
    else if (ti.earliest_on) line(t(c, 'devices.trade_in_from', { date: day(c, ti.earliest_on) }));
    if (d.serial) line(t(c, 'devices.serial_label') + ': ' + d.serial);
    else li.append(serialForm(c, d, li));
    if (d.warranty.claim_available) li.append(claim(c, d));
    else if (d.warranty.reason) line(d.warranty.reason, 'tesmart__muted');
    return li;
  }
  function serialForm(c, d, li) {
    var input = h('input', { id: uid(), class: 'tesmart__input', required: true, maxlength: '64', autocomplete: 'off' });
    var save = h('button', { type: 'submit', class: 'tesmart__btn', text: t(c, 'devices.serial_save') });
    return h('form', { class: 'tesmart__form', onsubmit: async function (ev) {
      ev.preventDefault();
      var value = input.value.trim();
      if (!value) return input.focus();
      save.disabled = true;
      try {
        var fresh = device(c, await api(c, '/devices/' + d.id + '/serial', 'POST', { serial: value }));
        forget('/devices');
        li.replaceWith(fresh);
        fresh.focus();
        say(c, t(c, 'devices.serial_saved'));
      } catch (e) {
        say(c, errText(c, e), true);
        save.disabled = false;
      }
    } }, [para(t(c, 'devices.serial_missing'), 'tesmart__muted'), h('label', { for: input.id, text: t(c, 'devices.serial_label') }), input, save]);
  }
  function claim(c, d) {
    var wrap = h('div');
    var start = btn(c, 'devices.claim', function () {
      start.hidden = true;
      var text = h('textarea', { id: uid(), class: 'tesmart__input', rows: '3', maxlength: '2000', required: true });
      var send = h('button', { type: 'submit', class: 'tesmart__btn', text: t(c, 'devices.claim_submit') });
      var form = h('form', { class: 'tesmart__form', onsubmit: async function (ev) {
        ev.preventDefault();
        if (!text.value.trim()) return text.focus();
        send.disabled = true;
        try {
          var res = await api(c, '/warranty-claims', 'POST', { device_id: d.id, description: text.value.trim() });
          forget('/devices');
          var msg = t(c, 'devices.claim_sent') + ' ' + t(c, 'devices.shipping_' + res.claim.return_shipping_paid_by);
          var ok = para(msg, 'tesmart__ok');
          ok.tabIndex = -1;
          form.replaceWith(ok);
          ok.focus();
          say(c, msg);
        } catch (e) {
          say(c, errText(c, e), true);
          send.disabled = false;
        }
      } }, [h('label', { for: text.id, text: t(c, 'devices.claim_description') }), text, h('div', { class: 'tesmart__actions' }, [send, btn(c, 'common.cancel', function () {
        form.remove();
        start.hidden = false;
        start.focus();
      }, true)])]);
      wrap.append(form);
      text.focus();
    });
    wrap.append(start);
    return wrap;
  }

  // --- mounting ----------------------------------------------------------------------------
  var RENDER = { 'member-status': member, rewards: rewards, referral: referral, 'trade-in': tradeIn, devices: devices };

  // The app proxy's prefix and subpath are the merchant's (Shopify lets them change both): the
  // launcher embed's setting, which every block follows; Shopify's default when it is not enabled.
  var PROXY_PATH = /^\/(apps|a|community|tools)\/[A-Za-z0-9_-]+$/;
  function proxyBase(d) {
    var embed = document.querySelector('[data-tesmart="launcher"]');
    var found = [d.proxy, embed && embed.dataset.proxy];
    for (var i = 0; i < found.length; i++) {
      var path = (found[i] || '').trim().replace(/\/+$/, '');
      if (PROXY_PATH.test(path)) return path;
    }
    return '/apps/tesmart';
  }

  function context(root) {
    var d = root.dataset;
    var locale = d.locale || undefined;
    try { Intl.getCanonicalLocales(locale || []); } catch (e) { locale = undefined; }
    var strings = {};
    try { strings = JSON.parse(root.querySelector('.tesmart__i18n').textContent); } catch (e) { strings = {}; }
    return {
      base: proxyBase(d), locale: locale, currency: d.currency || 'USD',
      customer: d.customer === 'true', login: d.loginUrl || '/account/login', s: strings, level: 'h2', sub: 'h3'
    };
  }

  function panel(c, kind, host) {
    var box = h('div', { class: 'tesmart__panel' });
    c.live = h('p', { class: 'tesmart__status', role: 'status', 'aria-live': 'polite' });
    host.append(box, c.live);
    async function run() {
      var out = h('div');
      try {
        await RENDER[kind](c, out);
      } catch (e) {
        out.textContent = '';
        if (e && e.status === 401) out.append(loginBox(c));
        else out.append(h('p', { class: 'tesmart__error', role: 'alert', text: errText(c, e) }), btn(c, 'common.retry', run, true));
      }
      box.textContent = '';
      box.append(out);
      host.querySelectorAll('.tesmart__skeleton, .tesmart__sr').forEach(function (n) { n.remove(); });
      host.removeAttribute('aria-busy');
    }
    return run();
  }

  var TABS = [['member-status', 'tab_member'], ['rewards', 'tab_rewards'], ['referral', 'tab_referral'], ['trade-in', 'tab_trade_in'], ['devices', 'tab_devices']];

  function launcher(c, root) {
    var titleId = uid();
    var open = h('button', { type: 'button', class: 'tesmart-launcher__button', 'aria-haspopup': 'dialog', 'aria-expanded': 'false', text: t(c, 'launcher.open') });
    var close = h('button', { type: 'button', class: 'tesmart__close', 'aria-label': t(c, 'common.close'), text: '×' });
    var nav = h('div', { class: 'tesmart-dialog__nav', role: 'group', 'aria-label': t(c, 'launcher.nav_label') });
    var body = h('div', { class: 'tesmart-dialog__body' });
    var dialog = h('dialog', { class: 'tesmart-dialog', 'aria-labelledby': titleId }, [
      h('div', { class: 'tesmart-dialog__inner' }, [h('div', { class: 'tesmart-dialog__head' }, [h('h2', { id: titleId, text: t(c, 'launcher.title') }), close]), nav, body])
    ]);
    var panes = {};
    function show(kind) {
      Object.keys(panes).forEach(function (k) { panes[k].hidden = k !== kind; });
      nav.querySelectorAll('button').forEach(function (b) { b.setAttribute('aria-pressed', String(b.dataset.kind === kind)); });
      if (panes[kind]) return;
      panes[kind] = h('div', { class: 'tesmart tesmart--' + kind + ' tesmart--in-dialog' });
      body.append(panes[kind]);
      panel(Object.assign({}, c, { level: 'h3', sub: 'h4' }), kind, panes[kind]);
    }
    TABS.forEach(function (tab) {
      nav.append(h('button', { type: 'button', class: 'tesmart__tab', 'data-kind': tab[0], 'aria-pressed': 'false', text: t(c, 'launcher.' + tab[1]), onclick: function () { show(tab[0]); } }));
    });
    function closed() {
      dialog.removeAttribute('open');
      open.setAttribute('aria-expanded', 'false');
      open.focus();
    }
    function shut() {
      if (typeof dialog.close === 'function') dialog.close();
      else closed();
    }
    open.addEventListener('click', function () {
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
      open.setAttribute('aria-expanded', 'true');
      if (!body.children.length) show('member-status');
      close.focus();
    });
    close.addEventListener('click', shut);
    // Escape on a modal <dialog> fires "close" natively; focus then goes back to the launcher.
    dialog.addEventListener('close', closed);
    dialog.addEventListener('keydown', function (e) { if (e.key === 'Escape') { e.preventDefault(); shut(); } });
    dialog.addEventListener('click', function (e) { if (e.target === dialog) shut(); });
    root.append(open, dialog);
    root.removeAttribute('aria-busy');
  }

  function mount(scope) {
    (scope || document).querySelectorAll('[data-tesmart]').forEach(function (root) {
      if (root.tesmartMounted) return;
      root.tesmartMounted = true;
      var kind = root.dataset.tesmart;
      var c = context(root);
      if (kind === 'launcher') launcher(c, root);
      else if (RENDER[kind]) panel(c, kind, root);
    });
  }

  window.TESmartMembers = { mount: mount };
  document.addEventListener('shopify:section:load', function (e) { mount(e.target); });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', function () { mount(); });
  else mount();
})();
