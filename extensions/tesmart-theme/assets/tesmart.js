/* TESmart Members widgets (docs/architecture.md). Plain ES2019, no build step; text only through textContent. */
(function () {
  'use strict';
  if (window.TESmartMembers) return;

  var cache = {};
  var seq = 0;
  var uid = function () { return 'tesmart-f' + ++seq; };

  // DOM, strings, formatting
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
  function back(c, url, ref) {
    return ref && url.charAt(0) !== '#' ? url + (url.indexOf('?') < 0 ? '?' : '&') + 'return_url=' + encodeURIComponent(c.base + '/r/' + ref) : url;
  }
  function joinLinks(c, ref) {
    return h('p', { class: 'tesmart__actions' }, [
      h('a', { class: 'tesmart__btn', href: back(c, c.register, ref), text: t(c, 'common.register') }),
      h('a', { class: 'tesmart__link', href: back(c, c.login, ref), text: t(c, 'common.log_in') })
    ]);
  }
  function loginBox(c, key) {
    return h('div', { class: 'tesmart__login' }, [para(t(c, key || 'common.login_prompt')), joinLinks(c, refCode())]);
  }
  function refCode() {
    var m = /[?&]tesmart_referral=([\w-]{1,32})/.exec(location.search);
    try {
      if (m) sessionStorage.setItem('tesmart_ref', m[1]);
      return m ? m[1] : sessionStorage.getItem('tesmart_ref');
    } catch (e) {
      return m && m[1];
    }
  }
  var ul = function (texts) { return h('ul', { class: 'tesmart__list' }, texts.map(function (x) { return h('li', { text: x }); })); };
  function facts(rows) {
    var dl = h('dl', { class: 'tesmart__facts' });
    rows.forEach(function (r) { dl.append(h('dt', { text: r[0] }), h('dd', { text: r[1] })); });
    return dl;
  }
  function field(label, input) {
    input.id = uid();
    return [h('label', { for: input.id, text: label }), input];
  }
  var input = function (props) { return h(props.rows ? 'textarea' : 'input', Object.assign({ class: 'tesmart__input', autocomplete: 'off' }, props)); };
  function form(c, kids, onsubmit, key) {
    var send = h('button', { type: 'submit', class: 'tesmart__btn', text: t(c, key) });
    var f = h('form', { class: 'tesmart__form', onsubmit: async function (ev) {
      ev.preventDefault();
      send.disabled = true;
      try {
        await onsubmit(f);
      } catch (e) {
        say(c, errText(c, e), true);
      }
      send.disabled = false;
    } }, kids.concat([send]));
    return f;
  }
  function done(c, node, key) {
    var ok = para(t(c, key), 'tesmart__ok');
    ok.tabIndex = -1;
    node.replaceWith(ok);
    ok.focus();
    return ok;
  }
  function say(c, msg, bad) {
    c.live.textContent = msg || '';
    c.live.className = 'tesmart__status' + (bad ? ' tesmart__status--error' : '');
  }
  function errText(c, e) {
    var key = 'common.error_' + (e && e.code);
    return c.s[key] ? t(c, key) : (e && e.message) || t(c, 'common.error');
  }

  // the storefront API
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

  // member status
  var EARN_FOR_STEP = { subscribe_newsletter: 'newsletter', place_order: 'order', complete_survey: 'survey', leave_review: 'review' };

  async function member(c, out) {
    var m = await get(c, '/member');
    var boost = m.campaigns.filter(function (x) { return x.kind === 'points_multiplier' && x.multiplier; })[0];
    out.append(heading(c, 'member.title'));
    if (!m.logged_in) return need(c, 'pitch').then(function () { return RENDER.pitch(c, m, out, boost); });
    var id = m.tesmart_id;
    var rows = [[t(c, 'member.status_label'), t(c, 'member.status_' + id.status)]];
    if (id.cohort) rows.push([t(c, 'member.cohort_label'), t(c, 'member.cohort_' + id.cohort.replace('-', '_'))]);
    if (id.registered_at) rows.push([t(c, 'member.member_since'), day(c, id.registered_at)]);
    if (m.points) rows.push([t(c, 'member.balance_label'), pts(c, m.points.balance)]);
    out.append(facts(rows));
    var exp = m.points && m.points.expiring;
    if (exp) out.append(para(t(c, 'member.expiring', { points: pts(c, exp.points), date: day(c, exp.on) }), 'tesmart__muted'));

    out.append(sub(c, 'member.benefits_title'), m.benefits.length ? ul(m.benefits.map(function (b) { return t(c, 'member.benefit_' + b); })) : para(t(c, 'member.no_benefits')));
    if (m.terms.length) out.append(sub(c, 'member.terms_title'), ul(m.terms.concat((await get(c, '/devices').catch(function () { return { devices: [] }; })).devices.map(function (d) {
      return t(c, 'member.warranty_until', { device: d.title, date: day(c, d.extended_warranty_end || d.standard_warranty_end) });
    }))));
    if (m.next_steps.length) {
      out.append(sub(c, 'member.next_title'), h('ul', { class: 'tesmart__list' }, m.next_steps.map(function (step) {
        var earn = EARN_FOR_STEP[step];
        var label = t(c, 'member.next_' + step);
        return h('li', {}, [
          h('a', { class: 'tesmart__link', href: step === 'log_in' ? c.login : step === 'place_order' ? '/collections/all' : step === 'refer_friend' ? '#tesmart-referral' : c.account, text: label }),
          earn ? ' +' + pts(c, m.earning[earn]) : null,
          earn === 'order' && boost ? badge(c, boost) : null
        ]);
      })));
    }
    if (id.status === 'active') await need(c, 'birthday').then(function () { return RENDER.tier(c, out, m.shop.currency).catch(function () {}).then(function () { return RENDER.birthday(c, out); }); }).catch(function () {});
    if (m.campaigns.length) {
      out.append(sub(c, 'member.campaigns_title'), h('ul', { class: 'tesmart__list' }, m.campaigns.map(function (x) {
        var li = h('li', {}, [h('strong', { text: x.title }), x.multiplier ? badge(c, x) : null, ' ' + t(c, 'member.campaign_until', { date: day(c, x.ends_at) })]);
        if (x.kind === 'member_discount' && id.status === 'active') {
          var get = btn(c, 'member.campaign_code', async function () {
            get.disabled = true;
            try {
              var x2 = await poll(c, (await api(c, '/campaigns/' + x.id + '/code', 'POST')).id);
              if (x2.code) get.replaceWith(copyBox(c, x2.code, t(c, 'rewards.code_label')));
              else say(c, t(c, 'rewards.code_pending'));
            } catch (e) {
              say(c, errText(c, e), true);
            }
            get.disabled = false;
          }, true);
          li.append(' ', get);
        }
        return li;
      })));
    }
  }
  function badge(c, campaign) {
    return h('span', { class: 'tesmart__badge', text: t(c, 'member.campaign_multiplier', { multiplier: num(c, Number(campaign.multiplier)) }) });
  }
  function rewardValue(c, w, currency) {
    return w.kind === 'percentage'
      ? t(c, 'rewards.value_percent', { percent: pct(c, w.percentage) })
      : t(c, w.kind === 'store_credit' ? 'rewards.value_credit' : 'rewards.value_amount', { amount: money(c, w.amount, currency) });
  }
  async function poll(c, id) {
    for (var i = 1; i <= 20; i++) {
      await wait(Math.min(400 * i, 3000));
      var x = await api(c, '/redemptions/' + id);
      if (x.status !== 'pending') return x;
    }
    return { status: 'pending' };
  }
  // rewards
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
        var value = rewardValue(c, w, r.currency);
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
        refresh('member-status');
        var done = await poll(c, accepted.id);
        var news = null;
        if (done.status === 'issued' && !done.code) {
          codeList.prepend(codeRow(done));
          codes.hidden = false;
          news = [t(c, 'rewards.credit_ready')];
        } else if (done.status === 'issued') {
          var row = codeRow(done);
          codeList.prepend(row);
          codes.hidden = false;
          focusTo = row.querySelector('button');
          news = [t(c, 'rewards.code_ready')];
        } else if (done.status === 'pending') {
          news = [t(c, 'rewards.code_pending')];
        } else {
          news = [t(c, 'rewards.code_failed'), true];
        }
        r = await get(c, '/rewards');
        draw();
        say.apply(null, [c].concat(news));
      } catch (e) {
        say(c, errText(c, e), true);
        idle(w, act);
      }
      focusTo = focusTo || list.querySelector('[data-reward="' + w.id + '"] button') || list.querySelector('button');
      if (focusTo) focusTo.focus();
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

  // referral
  async function referral(c, out) {
    out.append(heading(c, 'referral.title'));
    if (!c.customer) {
      var o = (await get(c, '/member')).offer;
      var amount0 = money(c, o.referral_amount, o.currency);
      return out.append(para(t(c, refCode() ? 'referral.landing' : 'referral.visitor', { amount: amount0 })), joinLinks(c, refCode()));
    }
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

  // trade-in estimator
  // One way round, all "yes" at first (a device in good order); the API asks cosmetic_wear.
  var CONDITIONS = ['no_wear', 'accessories_complete', 'original_packaging', 'working'];

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
      boxes[q] = h('input', { type: 'checkbox', id: uid(), checked: true });
      return h('div', { class: 'tesmart__check' }, [boxes[q], h('label', { for: boxes[q].id, text: t(c, 'trade_in.' + q) })]);
    })));
    var submit = h('button', { type: 'submit', class: 'tesmart__btn', text: t(c, 'trade_in.get_quote') });
    var result = h('div', { class: 'tesmart__result', tabindex: '-1' });
    var form = h('form', { class: 'tesmart__form', onsubmit: async function (ev) {
      ev.preventDefault();
      var device = list.filter(function (d) { return String(d.id) === select.value; })[0];
      var condition = {};
      CONDITIONS.forEach(function (q) { condition[q === 'no_wear' ? 'cosmetic_wear' : q] = q === 'no_wear' ? !boxes[q].checked : boxes[q].checked; });
      submit.disabled = true;
      say(c, t(c, 'trade_in.quoting'));
      try {
        show(await api(c, '/trade-in/quote', 'POST', { device_id: device.id, condition: condition }), device);
        say(c, '');
        result.focus();
      } catch (e) {
        say(c, errText(c, e), true);
      }
      submit.disabled = !!result.querySelector('.tesmart__ok');
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
      if (q.eligible && q.base_value) {
        var cur = function (a) { return money(c, a, q.currency); };
        result.append(facts([[t(c, 'trade_in.base', { percent: pct(c, q.percent) }), cur(q.base_value)]].concat(q.deductions.map(function (d) {
          return [t(c, 'trade_in.less_' + d.question, { percent: pct(c, d.percent) }), '−' + cur(d.amount)];
        }), [[t(c, 'trade_in.result'), cur(q.value)]])));
      } else {
        result.append(para(q.reason, 'tesmart__muted'));
      }
      if (!q.eligible || !q.quote_id) return;
      var serial = device.serial ? null : h('input', { id: uid(), class: 'tesmart__input', autocomplete: 'off', maxlength: '64' });
      var apply = btn(c, 'trade_in.apply', async function () {
        apply.disabled = true;
        say(c, t(c, 'trade_in.applying'));
        try {
          await api(c, '/trade-ins', 'POST', { quote_id: q.quote_id, serial: serial ? serial.value.trim() || null : null });
          forget('/devices', '/trade-ins');
          if (serial) serial.readOnly = true;
          submit.disabled = true;
          say(c, '');
          done(c, apply, 'trade_in.applied');
        } catch (e) {
          say(c, errText(c, e), true);
          apply.disabled = false;
        }
      });
      if (serial) result.append(h('label', { for: serial.id, text: t(c, 'trade_in.serial_label') }), serial);
      result.append(apply);
    }
  }

  // my devices and warranty
  async function devices(c, out) {
    out.append(heading(c, 'devices.title'));
    if (!c.customer) return out.append(loginBox(c));
    var list = (await get(c, '/devices')).devices;
    if (!list.length) return out.append(para(t(c, 'devices.empty')));
    var trades = {};
    try {
      (await get(c, '/trade-ins')).trade_ins.forEach(function (x) { if (x.state !== 'quoted') trades[x.device_id] = x; });
    } catch (e) {
      trades = {};
    }
    c.trades = trades;
    out.append(h('ul', { class: 'tesmart__cards' }, list.map(function (d) { return device(c, d); })));
  }
  async function redraw(c, li, id) {
    forget('/devices');
    var d = (await get(c, '/devices')).devices.filter(function (x) { return x.id === id; })[0];
    var fresh = device(c, d);
    li.replaceWith(fresh);
    fresh.focus();
  }
  function device(c, d) {
    var li = h('li', { class: 'tesmart__card', tabindex: '-1' }, [h(c.sub, { class: 'tesmart__subtitle', text: d.title })]);
    var line = function (text, cls) { li.append(para(text, cls)); };
    line(t(c, 'devices.purchased', { date: day(c, d.purchased_at), order: d.order_name }), 'tesmart__muted');
    line(t(c, 'devices.standard_until', { date: day(c, d.standard_warranty_end) }));
    line(d.extended_warranty_end ? t(c, 'devices.extended_until', { date: day(c, d.extended_warranty_end) }) : t(c, 'devices.no_extension'));
    if (d.replacement_used) line(t(c, 'devices.replacement_used'));
    var ti = d.trade_in;
    var x = c.trades && c.trades[d.id];
    if (ti.status) line(t(c, 'devices.trade_in_state', { state: t(c, 'devices.state_' + ti.status) }));
    if (x && x.tracking_number) line(t(c, 'devices.tracking_label') + ': ' + x.tracking_number);
    else if (x && x.state === 'approved') {
      var num1 = input({ required: true, maxlength: '64' });
      var carrier = input({ maxlength: '64' });
      var tf = form(c, [para(t(c, 'devices.tracking_intro'))].concat(field(t(c, 'devices.tracking_label'), num1), field(t(c, 'devices.carrier_label'), carrier)), async function () {
        x = (await api(c, '/trade-ins/' + x.id + '/tracking', 'POST', { tracking_number: num1.value.trim(), carrier: carrier.value.trim() || null })).trade_in;
        forget('/trade-ins');
        c.trades[d.id] = x;
        say(c, t(c, 'devices.tracking_saved'));
        await redraw(c, li, d.id);
      }, 'devices.tracking_save');
      li.append(tf);
    }
    else if (ti.eligible) line(t(c, 'devices.trade_in_ready'));
    else if (ti.earliest_on) line(t(c, 'devices.trade_in_from', { date: day(c, ti.earliest_on) }));
    if (d.serial) line(t(c, 'devices.serial_label') + ': ' + d.serial);
    else li.append(serialForm(c, d, li));
    var cl = d.warranty.claim;
    if (cl) {
      line(t(c, 'devices.claim_state', { state: t(c, 'devices.claim_' + cl.state) }));
      if (cl.refusal_reason) line(t(c, 'devices.claim_reason', { reason: cl.refusal_reason }), 'tesmart__muted');
      if (cl.withdrawable) {
        li.append(btn(c, 'devices.claim_withdraw', async function () {
          try {
            await api(c, '/warranty-claims/' + cl.id + '/withdraw', 'POST');
            say(c, t(c, 'devices.claim_state', { state: t(c, 'devices.claim_withdrawn') }));
            await redraw(c, li, d.id);
          } catch (e) {
            say(c, errText(c, e), true);
          }
        }, true));
      }
    }
    if (d.warranty.claim_available) li.append(claim(c, d, li));
    else if (d.warranty.reason && !cl) line(d.warranty.reason, 'tesmart__muted');
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
  function claim(c, d, li) {
    var start = btn(c, 'devices.claim', async function () {
      try {
        await need(c, 'claim');
        start.replaceWith(RENDER.claim(c, d, li, start));
      } catch (e) {
        say(c, errText(c, e), true);
      }
    });
    return start;
  }


  // mounting
  var RENDER = { 'member-status': member, rewards: rewards, referral: referral, 'trade-in': tradeIn, devices: devices };
  // Returns and CTRL F: tesmart-forms.js, fetched when first shown.
  var loading = null;
  function need(c, kind) {
    if (RENDER[kind]) return Promise.resolve();
    loading = loading || new Promise(function (ok, bad) {
      document.head.append(h('script', { src: c.forms, onload: ok, onerror: function () { loading = null; bad({ code: 'network' }); } }));
    });
    return loading;
  }
  var TITLES = { 'member-status': 'member.title', rewards: 'rewards.title', referral: 'referral.title', 'trade-in': 'trade_in.title', devices: 'devices.title', returns: 'returns.title', 'ctrl-f': 'ctrl_f.title' };
  var panels = {};
  function refresh(kind) { (panels[kind] || []).forEach(function (run) { run(); }); }

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
      customer: d.customer === 'true', login: d.loginUrl || '/account/login', register: d.registerUrl || '/account/register',
      account: d.accountUrl || '/account', forms: d.forms, s: strings, level: 'h2', sub: 'h3'
    };
  }

  function panel(c, kind, host) {
    var box = h('div', { class: 'tesmart__panel' });
    c.live = h('p', { class: 'tesmart__status', role: 'status', 'aria-live': 'polite' });
    host.append(box, c.live);
    async function run() {
      var out = h('div');
      try {
        await need(c, kind);
        await RENDER[kind](c, out);
      } catch (e) {
        out.textContent = '';
        out.append(heading(c, TITLES[kind]));
        if (e && e.status === 401) out.append(loginBox(c));
        else out.append(h('p', { class: 'tesmart__error', role: 'alert', text: t(c, c.s['common.error_' + (e && e.code)] ? 'common.error_' + e.code : 'common.unavailable') }), btn(c, 'common.retry', run, true));
      }
      box.textContent = '';
      box.append(out);
      host.querySelectorAll('.tesmart__skeleton, .tesmart__sr').forEach(function (n) { n.remove(); });
      host.removeAttribute('aria-busy');
    }
    (panels[kind] = panels[kind] || []).push(run);
    return run();
  }

  var TABS = [['member-status', 'tab_member'], ['rewards', 'tab_rewards'], ['referral', 'tab_referral'], ['trade-in', 'tab_trade_in'], ['devices', 'tab_devices'], ['returns', 'tab_returns'], ['ctrl-f', 'tab_ctrl_f']];

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
      var pane = panes[kind];
      texts().then(function () { panel(Object.assign({}, c, { level: 'h3', sub: 'h4' }), kind, pane); });
    }
    // Panel strings: fetched on first open, once.
    var got;
    function texts() {
      return got = got || get(c, '/strings?locale=' + (c.locale || 'en')).then(function (r) { Object.assign(c.s, r.strings); }, function () { got = null; });
    }
    TABS.forEach(function (tab) {
      nav.append(h('button', { type: 'button', class: 'tesmart__tab', 'data-kind': tab[0], 'aria-pressed': 'false', text: t(c, 'launcher.' + tab[1]), onclick: function () { show(tab[0]); } }));
    });
    function closed() {
      open.setAttribute('aria-expanded', 'false');
      open.focus();
    }
    function shut() { dialog.close(); }
    open.addEventListener('click', function () {
      dialog.showModal();
      open.setAttribute('aria-expanded', 'true');
      close.focus();
      if (!body.children.length) show('member-status');
    });
    close.addEventListener('click', shut);
    // Escape on a modal <dialog> fires "close" natively; focus then goes back to the launcher.
    dialog.addEventListener('close', closed);
    dialog.addEventListener('click', function (e) { if (e.target === dialog) shut(); });
    root.append(open, dialog);
    root.removeAttribute('aria-busy');
  }

  var order = [];
  function reveal() {
    var open = true;
    order.forEach(function (x) { x.root.hidden = !open; open = open && x.done; });
  }

  function mount(scope) {
    (scope || document).querySelectorAll('[data-tesmart]').forEach(function (root) {
      if (root.tesmartMounted) return;
      root.tesmartMounted = true;
      var kind = root.dataset.tesmart;
      var c = context(root);
      if (kind === 'launcher') return launcher(c, root);
      if (!TITLES[kind]) return;
      // Shown top-down, each once the widgets above it are done: a widget never moves another.
      var entry = { root: root };
      order.push(entry);
      reveal();
      panel(c, kind, root).then(function () { entry.done = true; reveal(); });
    });
  }

  window.TESmartMembers = {
    mount: mount,
    define: function (kind, render) { RENDER[kind] = render; },
    kit: { uid: uid, errText: errText, h: h, t: t, para: para, sub: sub, heading: heading, btn: btn, money: money, num: num, pts: pts, badge: badge, joinLinks: joinLinks, refCode: refCode, rewardValue: rewardValue, input: input, field: field, form: form, done: done, say: say, api: api, get: get, forget: forget, pct: pct, day: day, loginBox: loginBox, redraw: redraw }
  };
  document.addEventListener('shopify:section:load', function (e) { mount(e.target); });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', function () { mount(); });
  else mount();
})();
