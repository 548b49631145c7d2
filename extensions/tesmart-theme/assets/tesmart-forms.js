/* TESmart Members: join pitch, tier, birthday, returns, CTRL F, warranty claim; loaded by tesmart.js when first needed. */
(function () {
  'use strict';
  var M = window.TESmartMembers;
  if (!M || M.define.forms) return;
  M.define.forms = true;
  var k = M.kit;
  var h = k.h, t = k.t, para = k.para, heading = k.heading, input = k.input, field = k.field, form = k.form, done = k.done,
    say = k.say, api = k.api, get = k.get, forget = k.forget, pct = k.pct, day = k.day, loginBox = k.loginBox,
    sub = k.sub, money = k.money, num = k.num, pts = k.pts, badge = k.badge, joinLinks = k.joinLinks, refCode = k.refCode,
    rewardValue = k.rewardValue, uid = k.uid, errText = k.errText;

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

  // the join pitch for visitors: the store's own rules, catalogue and referral amounts
  async function pitch(c, m, out, boost) {
    var o = m.offer;
    var amount = money(c, o.referral_amount, o.currency);
    var ref = refCode();
    if (ref) out.append(para(t(c, 'member.ref_welcome', { amount: amount }), 'tesmart__ok'));
    out.append(para(t(c, 'member.anonymous')), earnList(c, m, boost));
    var r = null;
    try { r = await get(c, '/rewards'); } catch (e) { r = null; }
    if (r && r.rewards.length) {
      out.append(sub(c, 'member.join_rewards'), h('ul', { class: 'tesmart__list' }, r.rewards.map(function (w) {
        return h('li', {}, [h('strong', { text: rewardValue(c, w, r.currency) }), ' ' + pts(c, w.points)]);
      })));
    }
    out.append(sub(c, 'member.join_more'), h('ul', { class: 'tesmart__list' }, [
      t(c, 'member.join_referral', { amount: amount }), t(c, 'member.join_warranty', { years: num(c, o.warranty_years) }),
      t(c, 'member.join_trade_in'), t(c, 'member.join_ctrl_f', { percent: pct(c, o.ctrl_f_percent) })
    ].map(function (x) { return h('li', { text: x }); })), joinLinks(c, ref));
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



  // photos or video, sent to /uploads first
  var MAX_FILE = 10 * 1024 * 1024;
  function filesField(c, kids) {
    var files = h('input', { type: 'file', class: 'tesmart__input', accept: 'image/*,video/*', multiple: true });
    kids.push.apply(kids, field(t(c, 'common.files_label'), files).concat(para(t(c, 'common.files_hint'), 'tesmart__muted')));
    return files;
  }
  async function send(c, files) {
    var ids = [];
    for (var i = 0; i < files.files.length; i++) {
      var file = files.files[i];
      if (file.size > MAX_FILE) throw { code: 'file_too_large' };
      say(c, t(c, 'common.uploading'));
      var res = await fetch(c.base + '/uploads', { method: 'POST', credentials: 'same-origin', headers: { Accept: 'application/json', 'Content-Type': file.type || 'application/octet-stream' }, body: file });
      var data = await res.json().catch(function () { return null; });
      if (!res.ok || !data) throw (data && data.error) || {};
      ids.push(data.upload.id);
    }
    return ids;
  }

  // warranty claim
  M.define('claim', function (c, d, li, start) {
    var text = input({ rows: '3', maxlength: '2000', required: true });
    var serial = d.serial ? null : input({ required: true, maxlength: '64' });
    var kids = field(t(c, 'devices.claim_description'), text).concat(serial ? field(t(c, 'devices.serial_label'), serial) : []);
    var files = filesField(c, kids);
    var f = form(c, kids, async function () {
      var res = await api(c, '/warranty-claims', 'POST', { device_id: d.id, description: text.value.trim(), serial: serial ? serial.value.trim() : null, uploads: await send(c, files) });
      say(c, t(c, 'devices.claim_sent') + ' ' + t(c, 'devices.shipping_' + res.claim.return_shipping_paid_by));
      await k.redraw(c, li, d.id);
    }, 'devices.claim_submit');
    f.append(k.btn(c, 'common.cancel', function () {
      f.replaceWith(start);
      start.focus();
    }, true));
    setTimeout(function () { text.focus(); });
    return f;
  });

  // returns (POLICY.md 6)
  var REASONS = ['faulty', 'damaged_in_transit', 'unwanted', 'misuse'];

  async function returns(c, out) {
    out.append(heading(c, 'returns.title'));
    if (!c.customer) return out.append(loginBox(c));
    var order = input({ required: true, maxlength: '64' });
    var reason = h('select', { class: 'tesmart__input' }, REASONS.map(function (r) { return h('option', { value: r, text: t(c, 'returns.reason_' + r) }); }));
    var answer = h('div', { class: 'tesmart__result', tabindex: '-1' });
    out.append(para(t(c, 'returns.intro')), form(c, field(t(c, 'returns.order_label'), order).concat(field(t(c, 'returns.reason_label'), reason)), async function () {
      var v = await api(c, '/returns/check', 'POST', { order_id: order.value.trim(), reason: reason.value });
      answer.textContent = '';
      answer.append(h('p', {}, [h('strong', { text: t(c, 'returns.outcome_' + v.outcome) })]), para(v.reason, 'tesmart__muted'));
      if (v.outcome !== 'none') answer.append(para(t(c, 'devices.shipping_' + v.return_shipping_paid_by)), request(order.value.trim(), reason.value));
      answer.focus();
    }, 'returns.check'), answer);

    function request(orderId, why) {
      var box = {};
      var kids = [];
      [['description', { rows: '3', maxlength: '4000' }], ['proof', { required: true, maxlength: '2000' }], ['address1', { required: true, maxlength: '255', autocomplete: 'address-line1' }],
        ['city', { required: true, maxlength: '255', autocomplete: 'address-level2' }], ['zip', { maxlength: '32', autocomplete: 'postal-code' }],
        ['country', { required: true, maxlength: '2', pattern: '[A-Za-z]{2}', autocomplete: 'country' }], ['phone', { required: true, maxlength: '64', type: 'tel', autocomplete: 'tel' }]
      ].forEach(function (f) { box[f[0]] = input(f[1]); kids = kids.concat(field(t(c, 'returns.' + f[0] + '_label'), box[f[0]])); });
      var files = filesField(c, kids);
      var f = form(c, kids, async function () {
        await api(c, '/returns', 'POST', {
          order_id: orderId, reason: why, description: box.description.value.trim(), proof_of_purchase: box.proof.value.trim(), uploads: await send(c, files),
          delivery_address: { address1: box.address1.value.trim(), city: box.city.value.trim(), zip: box.zip.value.trim(), country: box.country.value.trim().toUpperCase() },
          phone: box.phone.value.trim()
        });
        say(c, '');
        done(c, f, 'returns.sent');
      }, 'returns.send');
      return f;
    }
  }

  // CTRL F product testing
  async function ctrlF(c, out) {
    out.append(heading(c, 'ctrl_f.title'));
    if (!c.customer) return out.append(loginBox(c));
    var list = (await get(c, '/ctrl-f')).programs;
    out.append(para(t(c, 'ctrl_f.intro')));
    if (!list.length) return out.append(para(t(c, 'ctrl_f.empty')));
    out.append(h('ul', { class: 'tesmart__cards' }, list.map(function (p) {
      var li = h('li', { class: 'tesmart__card' }, [h(c.sub, { class: 'tesmart__subtitle', text: p.title }),
        para(t(c, 'ctrl_f.offer', { product: p.product_title, percent: pct(c, p.discount_percent), date: day(c, p.applies_until) }))]);
      var a = p.application;
      if (!a) {
        var setup = input({ rows: '2', required: true, maxlength: '2000' });
        var kit = input({ required: true, maxlength: '2000' });
        var f = form(c, field(t(c, 'ctrl_f.setup_label'), setup).concat(field(t(c, 'ctrl_f.devices_label'), kit)), async function () {
          await api(c, '/ctrl-f/' + p.id + '/applications', 'POST', { setup: setup.value.trim(), devices: kit.value.trim() });
          forget('/ctrl-f');
          done(c, f, 'ctrl_f.applied');
        }, 'ctrl_f.apply');
        li.append(f);
      } else if (a.state === 'selected' && !a.feedback_sent) {
        var text = input({ rows: '4', required: true, maxlength: '8000' });
        var fb = form(c, [para(t(c, 'ctrl_f.selected', { date: p.feedback_due_on ? day(c, p.feedback_due_on) : '' }))].concat(field(t(c, 'ctrl_f.feedback_label'), text)), async function () {
          await api(c, '/ctrl-f/applications/' + a.id + '/feedback', 'POST', { feedback: text.value.trim() });
          forget('/ctrl-f');
          done(c, fb, 'ctrl_f.feedback_sent');
        }, 'ctrl_f.send_feedback');
        li.append(fb);
      } else {
        li.append(para(t(c, a.feedback_sent ? 'ctrl_f.feedback_sent' : 'ctrl_f.state_' + a.state), 'tesmart__muted'));
      }
      return li;
    })));
  }

  M.define('pitch', pitch);
  M.define('birthday', birthday);
  M.define('tier', tier);
  M.define('returns', returns);
  M.define('ctrl-f', ctrlF);
})();
