/**
 * Seed case: a 52-year-old woman with months of tiredness, thirst, passing
 * lots of urine, blurred vision and unintended weight loss (new type 2
 * diabetes). Primary-care history-taking station.
 */
import type { caseStudyContentSchema } from '@sp/core';
import type { z } from 'zod';

type CaseStudyContentInput = z.input<typeof caseStudyContentSchema>;

export const fatiguePolyuria: CaseStudyContentInput = {
  slug: 'fatigue-polyuria',
  title: 'Tired all the time: a 52-year-old woman in general practice',
  description:
    'Setting: a routine 10-minute appointment at a general practice. Maria Alvarez, 52, has booked because she has been feeling tired for several months; her husband persuaded her to come. Your task is to take a focused, patient-centred history. Explore her presenting complaint fully, screen the relevant systems, and take her past medical, medication, allergy, family and social history. Find out what she thinks is going on, what worries her and what she hopes to get from today. You are not expected to examine her or order tests, but in the last minute you should summarise back what you have heard and check you have understood her correctly. Many important details will only come out if you ask about them directly.',
  persona: {
    name: 'Maria Alvarez',
    age: 52,
    sex: 'female',
    personality:
      'Warm, polite and a little apologetic; she does not like to make a fuss and worries she is wasting the doctor\'s time. She talks in a friendly, slightly rambling way and tends to play symptoms down ("it\'s probably nothing, I\'m just getting older"), often blaming herself for not coping. She mentions her family and her job at the laundry a lot. She says "you know?" and "honestly" quite often. She becomes quieter and more serious when her late mother comes up, and is visibly relieved when a doctor is kind and unhurried.',
    openingLine:
      "Hello, doctor, thank you for seeing me. I'm sorry, I know you're busy... I've just been so tired lately, and my husband said I really had to come in and get it checked.",
    voice: 'coral',
  },
  facts: [
    {
      id: 'presenting_complaint',
      topic: 'Presenting complaint',
      content:
        "I'm just exhausted, honestly. Tired all the time. I get home from work and I can barely cook dinner before I'm falling asleep on the sofa. It's not like me at all, I've always been the busy one in the family.",
      keywords: ['what brings you', 'how can i help', 'tired', 'tiredness', 'fatigue', 'energy', 'exhausted'],
      disclosure: 'volunteer',
    },
    {
      id: 'onset',
      topic: 'Onset and duration',
      content:
        "It's been creeping up on me for about three or four months now, since around the start of spring. It didn't start suddenly, it's just slowly got worse, and the last six weeks or so have been the worst.",
      keywords: ['how long', 'when did', 'start', 'started', 'begin', 'months', 'sudden', 'gradual', 'getting worse'],
      disclosure: 'when_asked',
    },
    {
      id: 'fatigue_pattern',
      topic: 'Nature of the tiredness',
      content:
        "It's all day, really. I wake up and I don't feel rested, even if I've had a full night. Sometimes I have a little nap in the car on my lunch break. It's more like my whole body is heavy than feeling sad or anything.",
      keywords: ['all day', 'rested', 'nap', 'time of day', 'worse', 'describe', 'sleepy'],
      disclosure: 'volunteer',
    },
    {
      id: 'thirst',
      topic: 'Thirst',
      content:
        "Now you mention it, yes, I'm thirsty all the time. My mouth feels dry. I carry a big bottle around with me at work and I'm drinking maybe three or four litres a day, and orange juice and fizzy drinks as well because water doesn't seem to fix it.",
      keywords: ['thirst', 'thirsty', 'drink', 'drinking', 'fluids', 'dry mouth', 'water'],
      disclosure: 'when_asked',
    },
    {
      id: 'urination',
      topic: 'Passing urine',
      content:
        "Oh, yes, I'm always running to the toilet, and it's a lot each time, not just a little bit. I'm up three or four times every night to pass water, which is probably why I'm so tired. No pain or burning, and I haven't seen any blood.",
      keywords: [
        'urine',
        'urinate',
        'passing water',
        'toilet',
        'wee',
        'pee',
        'at night',
        'waterworks',
        'bladder',
        'burning',
      ],
      disclosure: 'when_asked',
    },
    {
      id: 'weight_loss',
      topic: 'Weight change',
      content:
        "Yes, I've lost weight without trying. My trousers are loose and the scales say I've gone from about 84 to 77 kilos in the last four months or so. I was pleased at first, to be honest, but I haven't changed what I eat. If anything I'm eating more.",
      keywords: ['weight', 'lost weight', 'weight loss', 'clothes', 'kilos', 'appetite', 'eating more'],
      disclosure: 'when_asked',
    },
    {
      id: 'vision',
      topic: 'Vision',
      content:
        "My eyesight has been a bit blurry, on and off, for the last month or two, especially reading the labels at work. I thought I just needed new glasses. I haven't been to the optician for a few years. No pain in my eyes and I'm not seeing double.",
      keywords: ['vision', 'eyesight', 'eyes', 'blurry', 'blurred', 'see', 'glasses', 'optician'],
      disclosure: 'when_asked',
    },
    {
      id: 'infections_and_healing',
      topic: 'Infections and wound healing',
      content:
        "I've had thrush twice in the last couple of months, which I never used to get. I bought the cream from the pharmacy. And I scraped my shin on a trolley at work about a month ago and it's still not properly healed.",
      keywords: ['infection', 'infections', 'thrush', 'itch', 'itching', 'heal', 'healing', 'cuts', 'wounds', 'skin'],
      disclosure: 'when_asked',
    },
    {
      id: 'systems_review',
      topic: 'Systems review (negatives)',
      content:
        "No, no chest pain and I'm not short of breath. No tummy pain, no sickness or vomiting, and my bowels are normal. I haven't had any fevers or night sweats. I don't feel too hot or too cold, no palpitations. My feet feel normal, no numbness or tingling. My periods stopped two years ago and there's been no bleeding since.",
      keywords: [
        'chest pain',
        'breathless',
        'tummy',
        'vomiting',
        'bowels',
        'fever',
        'night sweats',
        'numbness',
        'tingling',
        'periods',
      ],
      disclosure: 'when_asked',
    },
    {
      id: 'mood_and_sleep',
      topic: 'Mood and sleep',
      content:
        "My mood is okay, really. I'm frustrated more than low, because I can't keep up. I still enjoy things, the grandchildren and so on. I fall asleep fine, it's just the getting up to go to the toilet at night that breaks my sleep. Nobody's said I snore any more than usual.",
      keywords: ['mood', 'low', 'depressed', 'stress', 'sleep', 'sleeping', 'snore', 'enjoy'],
      disclosure: 'when_asked',
    },
    {
      id: 'past_medical_history',
      topic: 'Past medical history',
      content:
        "I've got high blood pressure, they found it about four years ago. When I was pregnant with my second, my son, they told me my sugar was high and I had to check it, but it went back to normal after he was born. He was a big baby, over four kilos. I haven't had a blood test for about three years, I kept missing the reminders. No operations apart from my gallbladder taken out when I was 45.",
      keywords: [
        'medical history',
        'medical conditions',
        'health problems',
        'blood pressure',
        'pregnancy',
        'pregnant',
        'operations',
        'blood test',
        'hospital',
        'illnesses',
      ],
      disclosure: 'when_asked',
    },
    {
      id: 'medications',
      topic: 'Medications',
      content:
        'Just the one tablet for my blood pressure, amlodipine, five milligrams every morning. I take ibuprofen now and then for my knees. And I started taking a multivitamin from the supermarket last month because I thought I might be run down. Nothing else, no herbal things.',
      keywords: [
        'medication',
        'medications',
        'medicines',
        'tablets',
        'pills',
        'take anything',
        'over the counter',
        'vitamins',
      ],
      disclosure: 'when_asked',
    },
    {
      id: 'allergies',
      topic: 'Allergies',
      content:
        'Penicillin. I came out in an itchy rash all over when I had it as a young woman. No other allergies that I know of.',
      keywords: ['allergy', 'allergies', 'allergic', 'reaction', 'penicillin'],
      disclosure: 'when_asked',
    },
    {
      id: 'family_history',
      topic: 'Family history',
      content:
        "My mother had diabetes for many years. In the end she was on insulin, she lost two toes on her right foot, and she died of a stroke when she was 70. My father had a heart attack at 64, he's 80 now and still going. My older brother takes tablets for his sugar too. My sister is fine as far as I know.",
      keywords: [
        'family',
        'family history',
        'run in the family',
        'mother',
        'mum',
        'father',
        'dad',
        'parents',
        'siblings',
        'brother',
      ],
      disclosure: 'when_asked',
    },
    {
      id: 'diet_and_exercise',
      topic: 'Diet and physical activity',
      content:
        "I love my food, that's my problem! Lots of bread, rice, tortillas. I have two sugars in my coffee, and lately I've been drinking a lot of orange juice and fizzy cola because I'm so thirsty. At work I grab whatever's quick from the vending machine. I'm on my feet all day but I don't do any proper exercise, I'm too tired by the evening.",
      keywords: ['diet', 'eat', 'eating', 'food', 'sugar', 'fizzy', 'exercise', 'active', 'activity', 'walk'],
      disclosure: 'when_asked',
    },
    {
      id: 'work_and_home',
      topic: 'Work and home life',
      content:
        "I'm a shift supervisor at a hotel laundry, full time, sometimes early starts at six. I've been there twelve years. I live with my husband, Carlos, and our youngest son, he's nineteen. My daughter lives nearby with my two grandchildren and I help with them at weekends. The tiredness is really starting to affect my work, I made a mistake with the rota last week.",
      keywords: [
        'work',
        'job',
        'occupation',
        'live with',
        'home',
        'husband',
        'family life',
        'support',
        'daily life',
        'affecting',
      ],
      disclosure: 'when_asked',
    },
    {
      id: 'alcohol',
      topic: 'Alcohol',
      content:
        'Not much. A glass or two of wine at family parties, maybe two or three times a month. Never during the week.',
      keywords: ['alcohol', 'drink alcohol', 'wine', 'beer', 'units', 'drinks a week'],
      disclosure: 'when_asked',
    },
    {
      id: 'smoking_and_drugs',
      topic: 'Smoking and recreational drugs',
      content: "I've never smoked, not even once. Carlos gave up years ago. And no drugs, never.",
      keywords: ['smoke', 'smoking', 'cigarettes', 'tobacco', 'vape', 'drugs', 'recreational'],
      disclosure: 'when_asked',
    },
    {
      id: 'ideas',
      topic: 'Ideas: what she thinks is going on',
      content:
        "Honestly? I thought it was the change, the menopause, or just getting older. My sister had anaemia and she was tired like this, so maybe it's my iron. Or I'm just working too hard.",
      keywords: ['what do you think', 'any ideas', 'thoughts', 'think is causing', 'causing', 'cause', 'your ideas'],
      disclosure: 'when_asked',
    },
    {
      id: 'concerns',
      topic: 'Concerns',
      content:
        "What really frightens me is my mum. She was tired like this for a long time before anyone looked into it, and then everything went wrong: her foot, her eyes, the stroke. I don't want to end up like her. And I'm worried about my job. I can't afford to be off sick.",
      keywords: ['worry', 'worried', 'worries you', 'concern', 'concerned', 'scared', 'afraid', 'frightens'],
      disclosure: 'when_asked',
    },
    {
      id: 'expectations',
      topic: 'Expectations',
      content:
        "I suppose I was hoping for a blood test, to check my iron, and maybe a tonic or some vitamins to get my energy back. Mostly I just want to know what's going on. Whatever it is, I'd rather know.",
      keywords: ['hoping', 'expect', 'expecting', 'expectations', 'what would you like', 'hope to get', 'from today'],
      disclosure: 'when_asked',
    },
  ],
  instructions:
    "You are Maria Alvarez, a 52-year-old hotel laundry supervisor seeing a GP (the student) about tiredness. Stay in character throughout as a real patient, not an actor or an AI, and never break character to explain the case. Speak in natural, everyday language, in short answers of one to three sentences, and never use medical jargon the patient would not know. Open with your tiredness and describe it freely, but reveal facts marked when_asked only when the student's question actually reaches them; in particular, do not mention the thirst, passing lots of urine, night-time toilet trips, weight loss, blurred vision, thrush or slow-healing cut unless asked about that area (a broad question such as 'any other symptoms?' may earn one of them, not all). If asked a closed question, answer just that question. If the student uses jargon such as 'polyuria' or 'polydipsia', look puzzled and ask what that means. You are polite and slightly apologetic, and you play your symptoms down at first. You become quieter and more anxious if the conversation turns to your mother, and you warm up noticeably when the student is empathetic. You do not know your diagnosis: never name or suggest diabetes as your own problem, and do not mention blood sugar readings, because you have never had any recent test. You do not know your blood pressure numbers, your cholesterol or your BMI. If the student asks something not covered by your facts, give a plausible, unremarkable answer consistent with a generally healthy woman of 52, or say you are not sure. If the student explains what they think is going on, react naturally: ask sensible lay questions and show concern, but do not invent test results.",
  rubric: [
    {
      id: 'introduction',
      title: 'Introduction, identity check and consent',
      criteria:
        "Met: the student greets the patient, gives their name and role (e.g. medical student), confirms the patient's name (and ideally age or date of birth) and gains consent to take a history. Partially met: some but not all of name, role, identity check and consent.",
      weight: 6,
      cues: [
        'my name is',
        "i'm a medical student",
        'i am a medical student',
        'can i confirm',
        'your name',
        'date of birth',
        'is it okay if',
        'would you mind',
        'nice to meet you',
      ],
      credit: 'introducing',
      elements: [
        { id: 'greeting', label: 'greeting', cues: ['@greeting'] },
        { id: 'name', label: 'own name', cues: ['@name_given'] },
        { id: 'role', label: 'role', cues: ['@role'] },
        { id: 'identity', label: "patient's identity", cues: ['@identity_check'] },
        { id: 'consent', label: 'consent', cues: ['@consent'] },
      ],
      elementsForMet: 5,
    },
    {
      id: 'open_questions',
      title: 'Opens with open questions and lets the patient talk',
      criteria:
        "Met: the student starts the consultation with an open question (e.g. 'What brings you in today?') and uses at least one further open prompt (e.g. 'Tell me more about that') before moving to closed questions. Partially met: an open opening question, but then only closed questions, or interrupting the patient early.",
      weight: 6,
      cues: [
        'what brings you',
        'how can i help',
        'tell me more',
        'tell me about',
        'can you describe',
        'in your own words',
        'go on',
        'anything else',
      ],
      elements: [
        { id: 'open_opening', label: 'an open opening question', cues: ['@open_opening'] },
        { id: 'further_prompt', label: 'a further open prompt', cues: ['@open_prompt'] },
      ],
      elementsForMet: 2,
    },
    {
      id: 'onset_and_duration',
      title: 'Characterises the tiredness: onset, duration, pattern and impact',
      criteria:
        'Met: establishes that the tiredness started gradually about 3-4 months ago and is getting worse, explores its pattern (all day, unrefreshing sleep) and its impact on daily life or work. Partially met: only duration, or only the pattern, without impact.',
      weight: 10,
      cues: [
        'how long',
        'when did',
        'when it started',
        'getting worse',
        'all the time',
        'time of day',
        'affecting',
        'day to day',
        'sleep',
      ],
      elements: [
        { id: 'onset', label: 'onset and duration', cues: ['@onset_time', 'getting worse', 'worsening', 'worse'] },
        {
          id: 'pattern',
          label: 'pattern and sleep',
          cues: ['all the time', 'time of day', 'morning to night', 'all day', 'sleep', 'refreshed', 'rested'],
        },
        {
          id: 'impact',
          label: 'impact on daily life',
          cues: [
            'affecting',
            'day to day',
            'everyday',
            'daily life',
            'getting in the way',
            'your job',
            'your work',
            'impact',
          ],
        },
      ],
      elementsForMet: 3,
    },
    {
      id: 'osmotic_symptoms',
      title: 'Asks about thirst and urinary frequency, including at night',
      criteria:
        'Met: the student asks about thirst or how much she is drinking AND about passing urine more often, including nocturia, and elicits that she drinks 3-4 litres a day and gets up 3-4 times a night. Partially met: asks about only one of thirst or urination, or does not establish the night-time symptoms.',
      weight: 14,
      cues: [
        'thirsty',
        'thirst',
        'how much are you drinking',
        'drinking more',
        'passing urine',
        'toilet',
        'at night',
        'waterworks',
        'wee',
        'pee',
      ],
      elements: [
        {
          id: 'thirst',
          label: 'thirst and how much she drinks',
          cues: ['thirsty', 'thirst', 'parched', 'drinking', 'how much are you drinking', 'fluid', 'litres'],
        },
        {
          id: 'frequency',
          label: 'passing urine more often',
          cues: ['passing urine', 'pass urine', 'urinate', 'toilet', 'loo', 'waterworks', 'wee', 'pee', 'weeing'],
        },
        {
          id: 'nocturia',
          label: 'at night',
          cues: ['at night', 'overnight', 'wake you', 'get up at night', 'up at night', 'night'],
        },
      ],
      elementsForMet: 3,
    },
    {
      id: 'weight_and_vision',
      title: 'Asks about weight loss and blurred vision',
      criteria:
        'Met: asks about weight change (eliciting unintentional loss of about 7 kg over four months) and about vision or eyesight (eliciting intermittent blurring). Partially met: asks about only one of these.',
      weight: 10,
      cues: ['weight', 'lost weight', 'clothes', 'appetite', 'eyesight', 'vision', 'blurry', 'blurred', 'eyes'],
      elements: [
        { id: 'weight', label: 'weight change', cues: ['weight', 'lost weight', 'clothes', 'looser', 'appetite'] },
        {
          id: 'vision',
          label: 'vision',
          cues: ['eyesight', 'vision', 'blurry', 'blurred', 'blurring', 'fuzzy', 'fuzziness', 'eyes'],
        },
      ],
      elementsForMet: 2,
    },
    {
      id: 'systems_review',
      title: 'Screens for infections, complications and other causes of tiredness',
      criteria:
        'Met: asks about recurrent infections or slow wound healing (eliciting thrush and the unhealed cut) and screens for other causes or complications, e.g. mood, sleep, thyroid symptoms, bleeding, night sweats, chest pain, numbness or tingling in the feet. Partially met: either infections/healing or a screen of other systems, but not both.',
      weight: 8,
      cues: [
        'infections',
        'thrush',
        'itching',
        'heal',
        'mood',
        'night sweats',
        'too hot',
        'numbness',
        'tingling',
        'bleeding',
      ],
      elements: [
        {
          id: 'infections',
          label: 'infections and healing',
          cues: [
            'infections',
            'infection',
            'thrush',
            'yeast',
            'itching',
            'itchiness',
            'heal',
            'slow to mend',
            'mend',
            'cuts',
          ],
        },
        {
          id: 'other_systems',
          label: 'other causes and complications',
          cues: [
            'mood',
            'night sweats',
            'sweats',
            'too hot',
            'numbness',
            'tingling',
            'pins and needles',
            'bleeding',
            'chest pain',
            'thyroid',
          ],
        },
      ],
      elementsForMet: 2,
    },
    {
      id: 'past_history_and_medications',
      title: 'Past medical history, medications and allergies',
      criteria:
        'Met: asks about past medical conditions (eliciting hypertension and raised sugar in her second pregnancy with a large baby), current medications (amlodipine, ibuprofen, multivitamin) and allergies (penicillin, with the type of reaction). Partially met: covers only one or two of these three areas, or does not elicit the history from pregnancy.',
      weight: 9,
      cues: [
        'medical conditions',
        'medical history',
        'health problems',
        'pregnancy',
        'any medications',
        'tablets',
        'over the counter',
        'allergic',
        'allergies',
      ],
      elements: [
        {
          id: 'past',
          label: 'past medical conditions incl. pregnancy',
          cues: ['@past_history', 'pregnancy', 'pregnancies', 'expecting your children', 'raised sugar', 'high sugar'],
        },
        {
          id: 'medications',
          label: 'medications',
          cues: ['@medications', 'over the counter', 'from the chemist', 'chemist'],
        },
        { id: 'allergies', label: 'allergies', cues: ['@allergies'] },
      ],
      elementsForMet: 3,
    },
    {
      id: 'family_history',
      title: 'Family history',
      criteria:
        "Met: asks about illnesses that run in the family and elicits her mother's diabetes with complications, her brother's diabetes and her father's heart attack. Partially met: asks about family history but does not establish details of the mother's illness.",
      weight: 10,
      cues: [
        'family history',
        'run in the family',
        'runs in the family',
        'your parents',
        'your mother',
        'your mum',
        'your father',
        'brothers or sisters',
        'relatives',
      ],
      elements: [
        { id: 'asked', label: 'family history', cues: ['@family_history'] },
        {
          id: 'mother_detail',
          label: "details of the mother's illness",
          cues: [
            'what illness did your mother',
            "your mother's illness",
            'did your mother',
            'your mum',
            'affect her',
            'mother have',
          ],
        },
      ],
      elementsForMet: 2,
    },
    {
      id: 'social_history',
      title: 'Social history and lifestyle',
      criteria:
        'Met: asks about smoking, alcohol, diet and physical activity, plus occupation and home situation. Partially met: covers smoking and alcohol only, or lifestyle without occupation and home.',
      weight: 9,
      cues: [
        'smoke',
        'alcohol',
        'diet',
        'what do you eat',
        'exercise',
        'work',
        'what do you do',
        'live with',
        'at home',
      ],
      elements: [
        { id: 'smoking_alcohol', label: 'smoking and alcohol', cues: ['@smoking', '@alcohol'] },
        { id: 'diet_activity', label: 'diet and physical activity', cues: ['@diet_exercise', "day's eating"] },
        { id: 'occupation', label: 'occupation', cues: ['@occupation'] },
        { id: 'home', label: 'home situation', cues: ['@home'] },
      ],
      elementsForMet: 4,
    },
    {
      id: 'ice',
      title: "Explores the patient's ideas, concerns and expectations",
      criteria:
        'Met: explicitly asks what she thinks is causing her symptoms (menopause, anaemia, overwork), what worries her (ending up like her mother, her job) and what she hopes for from the appointment (blood test, vitamins, an explanation). Partially met: explores one or two of the three.',
      weight: 12,
      cues: [
        'what do you think',
        'any ideas',
        'worries you',
        'worried about',
        'concerns',
        'what are you hoping',
        'expecting',
        'hoping for',
        'from today',
      ],
      elements: [
        { id: 'ideas', label: 'ideas', cues: ['@ideas'] },
        { id: 'concerns', label: 'concerns', cues: ['@concerns'] },
        { id: 'expectations', label: 'expectations', cues: ['@expectations'] },
      ],
      elementsForMet: 3,
    },
    {
      id: 'empathy',
      title: 'Empathy and rapport',
      criteria:
        'Met: acknowledges the impact of her symptoms and responds to emotional cues, in particular her fear when she talks about her mother, with an explicit empathic statement, and avoids judging her diet or missed check-ups. Partially met: generic politeness without responding to her specific emotional cues.',
      weight: 6,
      cues: [
        'that sounds',
        'that must be',
        'must have been',
        'i understand',
        "i'm sorry to hear",
        'sorry about your',
        'understandable',
        'difficult',
        'frustrating',
      ],
      credit: 'responding',
      elements: [
        { id: 'acknowledges', label: 'acknowledges the impact', cues: ['@empathy_acknowledge'] },
        {
          id: 'mother',
          label: 'responds to the cue about her mother',
          cues: ['your mum', 'your mother', 'watching your mum', 'about your mum'],
        },
      ],
      elementsForMet: 2,
    },
    {
      id: 'summary',
      title: 'Summarises and checks understanding',
      criteria:
        'Met: gives an accurate summary of the key points (tiredness, thirst, frequent urination including at night, weight loss, blurred vision, infections, family history) and checks it with the patient, inviting corrections or additions. Partially met: a summary missing several key symptoms, or one given without checking with the patient.',
      weight: 6,
      cues: [
        'to summarise',
        'so to recap',
        'just to summarise',
        'let me check',
        'have i got that right',
        'is that correct',
        'anything i missed',
        'anything else you',
      ],
      credit: 'summarising',
      elements: [
        { id: 'recap', label: 'a summary', cues: ['@recap'] },
        { id: 'check', label: 'a check with the patient', cues: ['@check_back'] },
      ],
      elementsForMet: 2,
    },
  ],
  durationLimit: 600,
  maxAttempts: 3,
  published: true,
};
